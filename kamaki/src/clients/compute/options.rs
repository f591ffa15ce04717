//! The optional arguments of the compute calls (kamaki's keyword
//! arguments), one struct per call; build them with `..Default::default()`.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use serde::Serialize;

use super::fields::Metadata;

/// Filters of [`list_servers`](super::ComputeClient::list_servers).
/// Synnefo honours only `changes_since`; the rest are OpenStack's.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListServersOptions {
    /// Only servers changed since this ISO 8601 time (deleted ones
    /// included, so that pollers see deletions).
    pub changes_since: Option<String>,
    /// Only servers of this image.
    pub image: Option<String>,
    /// Only servers of this flavor.
    pub flavor: Option<String>,
    /// Only servers with this name.
    pub name: Option<String>,
    /// Start after this server id.
    pub marker: Option<String>,
    /// At most this many servers.
    pub limit: Option<u32>,
    /// Only servers in this status.
    pub status: Option<String>,
    /// Only servers on this host.
    pub host: Option<String>,
}

/// A network connection asked for when creating a server.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ServerNetwork {
    /// The network to connect to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uuid: Option<String>,
    /// The IP to have on that network (e.g. a floating IP reserved there).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fixed_ip: Option<String>,
    /// An existing port to connect through.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<String>,
}

impl ServerNetwork {
    /// A connection to a network (`{"uuid": ...}`).
    pub fn network(network_id: impl Into<String>) -> Self {
        ServerNetwork {
            uuid: Some(network_id.into()),
            ..Self::default()
        }
    }

    /// A connection to a network with a given IP (`{"uuid": ..., "fixed_ip": ...}`).
    pub fn network_with_ip(network_id: impl Into<String>, ip: impl Into<String>) -> Self {
        ServerNetwork {
            uuid: Some(network_id.into()),
            fixed_ip: Some(ip.into()),
            port: None,
        }
    }

    /// A connection through an existing port (`{"port": ...}`).
    pub fn port(port_id: impl Into<String>) -> Self {
        ServerNetwork {
            port: Some(port_id.into()),
            ..Self::default()
        }
    }
}

/// A file to inject into a new server.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Personality {
    /// Where to put it on the server.
    pub path: String,
    /// Its contents, base64-encoded (at most 10240 bytes before encoding).
    pub contents: String,
    /// Its owner.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Its group.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Its mode, a number (e.g. `0o600`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<u32>,
}

impl Personality {
    /// A file at `path` with these (raw) contents, which are base64-encoded.
    pub fn new(path: impl Into<String>, contents: impl AsRef<[u8]>) -> Self {
        Personality {
            path: path.into(),
            contents: BASE64.encode(contents),
            ..Self::default()
        }
    }
}

/// A volume to create or attach with a new server (OpenStack's
/// `block_device_mapping_v2`, which Synnefo reads).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct BlockDeviceMapping {
    /// `image`, `volume`, `snapshot` or `blank`.
    pub source_type: String,
    /// The image, volume or snapshot (none for `blank`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uuid: Option<String>,
    /// The size in GB of a new volume.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volume_size: Option<u64>,
    /// Whether to delete the volume with the server (Synnefo's default:
    /// yes, except for existing volumes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delete_on_termination: Option<bool>,
    /// The boot order (`0` boots).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub boot_index: Option<u32>,
    /// `volume` (Synnefo ignores it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destination_type: Option<String>,
}

impl BlockDeviceMapping {
    /// A new volume of `size` GB made from an image.
    pub fn from_image(image_id: impl Into<String>, size: u64) -> Self {
        Self::sourced("image", Some(image_id.into()), Some(size))
    }

    /// A new volume of `size` GB made from a snapshot.
    pub fn from_snapshot(snapshot_id: impl Into<String>, size: u64) -> Self {
        Self::sourced("snapshot", Some(snapshot_id.into()), Some(size))
    }

    /// An existing (detached) volume.
    pub fn volume(volume_id: impl Into<String>) -> Self {
        Self::sourced("volume", Some(volume_id.into()), None)
    }

    /// A new empty volume of `size` GB.
    pub fn blank(size: u64) -> Self {
        Self::sourced("blank", None, Some(size))
    }

    fn sourced(source_type: &str, uuid: Option<String>, volume_size: Option<u64>) -> Self {
        BlockDeviceMapping {
            source_type: source_type.to_string(),
            uuid,
            volume_size,
            ..Self::default()
        }
    }
}

/// The optional arguments of `create_server`.
///
/// ```
/// use kamaki::clients::compute::{CreateServerOptions, ServerNetwork};
/// // No network connection at all (`"networks": []`): not the same as
/// // `None`, which lets the cloud apply its default policy (e.g. a public IP).
/// let isolated = CreateServerOptions { networks: Some(vec![]), ..Default::default() };
/// let on_net = CreateServerOptions {
///     networks: Some(vec![ServerNetwork::network("3141")]),
///     project: Some("a-project-uuid".into()),
///     ..Default::default()
/// };
/// # let _ = (isolated, on_net);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CreateServerOptions {
    /// Server metadata (sent when not empty). The Cyclades client adds the
    /// image's `os` and `users` unless given.
    pub metadata: Metadata,
    /// Files to inject (sent when not empty).
    pub personality: Vec<Personality>,
    /// Network connections: `None` applies the cloud's default policy,
    /// `Some(vec![])` creates a server with no network at all.
    pub networks: Option<Vec<ServerNetwork>>,
    /// Tags.
    pub tags: Option<Vec<String>>,
    /// The project whose quota the server is charged to (Synnefo; default:
    /// the user's system project).
    pub project: Option<String>,
    /// An ssh key pair to inject (OpenStack `key_name`).
    pub key_name: Option<String>,
    /// Several ssh key pairs to inject (Synnefo `SNF:key_names`; not with
    /// `key_name`).
    pub key_names: Vec<String>,
    /// Data for cloud-init and friends; base64-encoded into the body.
    pub user_data: Option<Vec<u8>>,
    /// The administrator password (else the cloud makes one and returns it
    /// in `admin_pass`).
    pub admin_pass: Option<String>,
    /// Volumes to create or attach with the server
    /// (`block_device_mapping_v2`).
    pub volumes: Option<Vec<BlockDeviceMapping>>,
}

impl CreateServerOptions {
    /// The JSON body of `POST /servers` for these options (what
    /// `create_server` sends; with `servers_post`, for callers that want
    /// the reply as the server sent it).
    pub fn body(
        &self,
        name: &str,
        flavor_id: &str,
        image_id: &str,
    ) -> serde_json::Result<serde_json::Value> {
        use serde_json::{to_value, Map, Value};
        let mut server = Map::new();
        server.insert("name".into(), Value::from(name));
        server.insert("flavorRef".into(), super::fields::id_value(flavor_id));
        server.insert("imageRef".into(), Value::from(image_id));
        if let Some(key_name) = &self.key_name {
            server.insert("key_name".into(), Value::from(key_name.as_str()));
        }
        if !self.key_names.is_empty() {
            server.insert("SNF:key_names".into(), to_value(&self.key_names)?);
        }
        if let Some(user_data) = &self.user_data {
            server.insert("user_data".into(), Value::from(BASE64.encode(user_data)));
        }
        if !self.metadata.is_empty() {
            server.insert("metadata".into(), to_value(&self.metadata)?);
        }
        if !self.personality.is_empty() {
            server.insert("personality".into(), to_value(&self.personality)?);
        }
        if let Some(networks) = &self.networks {
            server.insert("networks".into(), to_value(networks)?);
        }
        if let Some(project) = &self.project {
            server.insert("project".into(), Value::from(project.as_str()));
        }
        if let Some(tags) = &self.tags {
            server.insert("tags".into(), to_value(tags)?);
        }
        if let Some(password) = &self.admin_pass {
            server.insert("adminPass".into(), Value::from(password.as_str()));
        }
        if let Some(volumes) = &self.volumes {
            server.insert("block_device_mapping_v2".into(), to_value(volumes)?);
        }
        let mut body = Map::new();
        body.insert("server".into(), Value::Object(server));
        Ok(Value::Object(body))
    }
}

/// Filters of `list_flavors`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListFlavorsOptions {
    /// Only flavors changed since this ISO 8601 time (OpenStack).
    pub changes_since: Option<String>,
    /// Only flavors with at least this much disk, in GB (OpenStack).
    pub min_disk: Option<u64>,
    /// Only flavors with at least this much RAM, in MiB (OpenStack).
    pub min_ram: Option<u64>,
    /// Start after this flavor id (OpenStack).
    pub marker: Option<String>,
    /// At most this many (OpenStack).
    pub limit: Option<u32>,
    /// Only public (`true`) or only private (`false`) flavors (Synnefo's
    /// `SNF:is_public`).
    pub is_public: Option<bool>,
    /// Only flavors this project grants access to (Synnefo's
    /// `SNF:flavor-access`).
    pub project_id: Option<String>,
}

/// Filters of `list_images` (OpenStack's; Synnefo honours `changes_since`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListImagesOptions {
    /// Only images changed since this ISO 8601 time.
    pub changes_since: Option<String>,
    /// Only images of this server (query `server`).
    pub server_name: Option<String>,
    /// Only images with this name.
    pub name: Option<String>,
    /// Only images in this status.
    pub status: Option<String>,
    /// Start after this image id.
    pub marker: Option<String>,
    /// At most this many.
    pub limit: Option<u32>,
    /// `BASE`, `SERVER` or `ALL`.
    pub image_type: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn minimal_body_has_no_optional_keys() {
        let body = CreateServerOptions::default()
            .body("s", "1", "img")
            .unwrap();
        assert_eq!(
            body,
            json!({"server": {"name": "s", "flavorRef": 1, "imageRef": "img"}})
        );
    }

    #[test]
    fn empty_networks_are_sent_and_mean_no_network() {
        let options = CreateServerOptions {
            networks: Some(vec![]),
            ..Default::default()
        };
        let body = options.body("s", "f-uuid", "img").unwrap();
        assert_eq!(body["server"]["networks"], json!([]));
        assert_eq!(body["server"]["flavorRef"], json!("f-uuid"));
    }

    #[test]
    fn every_option_lands_where_synnefo_reads_it() {
        let options = CreateServerOptions {
            metadata: [("os".to_string(), "debian".to_string())].into(),
            personality: vec![Personality {
                mode: Some(0o600),
                ..Personality::new("/root/.ssh/authorized_keys", "ssh-rsa AAA")
            }],
            networks: Some(vec![
                ServerNetwork::network("3141"),
                ServerNetwork::network_with_ip("2719", "192.168.1.2"),
                ServerNetwork::port("18"),
            ]),
            tags: Some(vec!["web".into()]),
            project: Some("p".into()),
            key_name: None,
            key_names: vec!["k1".into(), "k2".into()],
            user_data: Some(b"#cloud-config\n".to_vec()),
            admin_pass: Some("Secr3tPassw0rd".into()),
            volumes: Some(vec![BlockDeviceMapping::from_image("img", 40)]),
        };
        let body = options.body("s", "3", "img").unwrap();
        assert_eq!(
            body,
            json!({"server": {
                "name": "s", "flavorRef": 3, "imageRef": "img",
                "SNF:key_names": ["k1", "k2"],
                "user_data": "I2Nsb3VkLWNvbmZpZwo=",
                "metadata": {"os": "debian"},
                "personality": [{"path": "/root/.ssh/authorized_keys",
                                 "contents": "c3NoLXJzYSBBQUE=", "mode": 384}],
                "networks": [{"uuid": "3141"}, {"uuid": "2719", "fixed_ip": "192.168.1.2"},
                             {"port": "18"}],
                "project": "p",
                "tags": ["web"],
                "adminPass": "Secr3tPassw0rd",
                "block_device_mapping_v2": [{"source_type": "image", "uuid": "img",
                                             "volume_size": 40}]
            }})
        );
    }
}
