"""Cyclades: Synnefo's compute, network and block storage services, with
their extensions to the OpenStack APIs."""

from kamaki.clients.cyclades.compute import (  # noqa: F401
    CycladesClient, CycladesComputeClient, CycladesComputeRestClient,
    CycladesRestClient)
from kamaki.clients.cyclades.network import CycladesNetworkClient  # noqa: F401
from kamaki.clients.cyclades.blockstorage import (  # noqa: F401
    CycladesBlockStorageClient, CycladesBlockStorageRestClient)
