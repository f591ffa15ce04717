//! The client of the OpenStack object storage (Swift) subset of Pithos.

use crate::clients::service_client;

service_client!(
    /// Client of the OpenStack object storage (Swift) subset of Pithos.
    StorageClient,
    "object-store",
    "1"
);
