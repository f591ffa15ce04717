"""The REST layers of Cyclades, at kamaki's module path."""

from kamaki.clients.cyclades.compute import (  # noqa: F401
    CycladesComputeRestClient, CycladesRestClient)
from kamaki.clients.cyclades.blockstorage import (  # noqa: F401
    CycladesBlockStorageRestClient)
