//! The client of the Synnefo Image registry (Plankton).

use crate::clients::service_client;

service_client!(
    /// Client of the Synnefo Image registry (Plankton).
    ImageClient,
    "image",
    "1.0"
);
