//! The client of the OpenStack network API (networks, subnets, ports, floating IPs).

use crate::clients::service_client;

service_client!(
    /// Client of the OpenStack network API (networks, subnets, ports, floating IPs).
    NetworkClient,
    "network",
    "2.0"
);
