//! The client of the OpenStack block storage API (volumes, snapshots, volume types).

use crate::clients::service_client;

service_client!(
    /// Client of the OpenStack block storage API (volumes, snapshots, volume types).
    BlockStorageClient,
    "volume",
    "2.0"
);
