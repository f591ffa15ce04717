//! The documents only Cyclades answers with: consoles, statistics, volume
//! attachments, tags with their statuses.

use serde::{Deserialize, Serialize};

use crate::clients::compute::fields::{id, nullable, opt_id, Extra};

/// How to reach a server's console.
#[derive(Clone, Default, Deserialize, Serialize, PartialEq)]
pub struct Console {
    /// `vnc`, `vnc-ws` or `vnc-wss`.
    #[serde(rename = "type", default, deserialize_with = "nullable")]
    pub console_type: String,
    /// The VNC proxy host.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// The VNC proxy port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u32>,
    /// A temporary password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    /// A URL to open (OpenStack's `os-getVNCConsole`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

impl std::fmt::Debug for Console {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Console")
            .field("console_type", &self.console_type)
            .field("host", &self.host)
            .field("port", &self.port)
            .field("password", &self.password.as_ref().map(|_| "..."))
            .finish_non_exhaustive()
    }
}

/// Where the graphs of a server's load are.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
pub struct ServerStats {
    /// The server.
    #[serde(rename = "serverRef", default, deserialize_with = "id")]
    pub server_ref: String,
    /// How often the graphs change, in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh: Option<u64>,
    /// The latest CPU load graph.
    #[serde(rename = "cpuBar", default, skip_serializing_if = "Option::is_none")]
    pub cpu_bar: Option<String>,
    /// The CPU load over time.
    #[serde(
        rename = "cpuTimeSeries",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub cpu_time_series: Option<String>,
    /// The latest network load graph.
    #[serde(rename = "netBar", default, skip_serializing_if = "Option::is_none")]
    pub net_bar: Option<String>,
    /// The network load over time.
    #[serde(
        rename = "netTimeSeries",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub net_time_series: Option<String>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A volume attached to a server, as the compute API shows it (the
/// attachment id is the volume id in Cyclades).
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
pub struct VolumeAttachment {
    /// The attachment id.
    #[serde(default, deserialize_with = "id")]
    pub id: String,
    /// The volume.
    #[serde(rename = "volumeId", default, deserialize_with = "id")]
    pub volume_id: String,
    /// The server.
    #[serde(rename = "serverId", default, deserialize_with = "id")]
    pub server_id: String,
    /// The device name (unused by Cyclades).
    #[serde(
        default,
        deserialize_with = "opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub device: Option<String>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A server's tags with their statuses (`ACTIVE`, `PENDADD`, `PENDDEL`):
/// Cyclades adds and removes tags asynchronously.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
pub struct TagList {
    /// The tags.
    #[serde(default, deserialize_with = "nullable")]
    pub tags: Vec<String>,
    /// Their statuses, in the same order.
    #[serde(default, deserialize_with = "nullable")]
    pub statuses: Vec<String>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}
