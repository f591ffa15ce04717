//! The client of the OpenStack compute API (servers, flavors, images, keypairs).

use crate::clients::service_client;

service_client!(
    /// Client of the OpenStack compute API (servers, flavors, images, keypairs).
    ComputeClient,
    "compute",
    "2.0"
);
