//! The clients of Cyclades, Synnefo's compute, network and block storage
//! services, with the Synnefo extensions of the OpenStack APIs.

use crate::clients::service_client;

service_client!(
    /// Client of Cyclades compute (servers with Synnefo's extensions).
    CycladesComputeClient,
    "compute",
    "2.0"
);

service_client!(
    /// Client of Cyclades networking (networks, ports, floating IPs).
    CycladesNetworkClient,
    "network",
    "2.0"
);

service_client!(
    /// Client of Cyclades block storage (volumes and snapshots).
    CycladesBlockStorageClient,
    "volume",
    "2.0"
);
