//! The client of Pithos, Synnefo's object storage.

use crate::clients::service_client;

service_client!(
    /// Client of Pithos, Synnefo's object storage.
    PithosClient,
    "object-store",
    "1"
);
