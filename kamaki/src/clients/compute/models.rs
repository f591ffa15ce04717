//! The documents the compute API answers with, typed. Every type keeps the
//! fields it does not name in `extra`, so nothing a newer server sends is
//! lost; ids are strings whatever their JSON type.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::fields::{id, id_list, nullable, opt_id, text_map};
pub use super::fields::{Extra, Metadata};

/// An Atom link (`{"href": ..., "rel": "self"}`).
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
pub struct Link {
    /// The URL.
    #[serde(default, deserialize_with = "nullable")]
    pub href: String,
    /// `self`, `bookmark`, `alternate`.
    #[serde(default, deserialize_with = "nullable")]
    pub rel: String,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A reference to a flavor or an image inside a server's details.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
pub struct ResourceRef {
    /// The id of the flavor or image.
    #[serde(default, deserialize_with = "id")]
    pub id: String,
    /// Its links.
    #[serde(default, deserialize_with = "nullable")]
    pub links: Vec<Link>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A virtual server. Plain listings fill only `id`, `name` and `links`;
/// details fill the rest.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
pub struct Server {
    /// The server id.
    #[serde(default, deserialize_with = "id")]
    pub id: String,
    /// Its name.
    #[serde(default, deserialize_with = "nullable")]
    pub name: String,
    /// `BUILD`, `ACTIVE`, `STOPPED`, `REBOOT`, `ERROR`, `DELETED`, `UNKNOWN`
    /// (empty in plain listings).
    #[serde(default, deserialize_with = "nullable")]
    pub status: String,
    /// The uuid of its owner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// The project it is assigned to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<String>,
    /// How far the build went, 0 to 100.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progress: Option<u32>,
    /// Creation time (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// Time of the last change (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
    /// Its flavor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flavor: Option<ResourceRef>,
    /// The image it was made from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<ResourceRef>,
    /// Its metadata (`os`, `users`, ...).
    #[serde(default, deserialize_with = "text_map")]
    pub metadata: Metadata,
    /// Its tags.
    #[serde(default, deserialize_with = "nullable")]
    pub tags: Vec<String>,
    /// Its network connections (ports), with their addresses.
    #[serde(default, deserialize_with = "nullable")]
    pub attachments: Vec<Nic>,
    /// Its addresses by network id (the same information as `attachments`).
    #[serde(default, deserialize_with = "nullable")]
    pub addresses: BTreeMap<String, Vec<Address>>,
    /// The ids of the volumes attached to it.
    #[serde(default, deserialize_with = "id_list")]
    pub volumes: Vec<String>,
    /// Its latest diagnostic messages.
    #[serde(default, deserialize_with = "nullable")]
    pub diagnostics: Vec<Diagnostic>,
    /// Whether the cloud's administrators suspended it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suspended: Option<bool>,
    /// The ssh key injected at creation (OpenStack).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_name: Option<String>,
    /// The ssh keys injected at creation (Synnefo).
    #[serde(rename = "SNF:key_names", default, deserialize_with = "nullable")]
    pub key_names: Vec<String>,
    /// Its host name.
    #[serde(rename = "SNF:fqdn", default, skip_serializing_if = "Option::is_none")]
    pub fqdn: Option<String>,
    /// What Synnefo is doing with it (`BUILDING`, `STARTING`...), if anything.
    #[serde(
        rename = "SNF:task_state",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub task_state: Option<String>,
    /// Whether it is in rescue mode.
    #[serde(
        rename = "SNF:rescue",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub rescue: Option<bool>,
    /// Whether it is deleted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted: Option<bool>,
    /// The administrator password: only in the reply that created it.
    #[serde(rename = "adminPass", default, skip_serializing_if = "Option::is_none")]
    pub admin_pass: Option<String>,
    /// Its links.
    #[serde(default, deserialize_with = "nullable")]
    pub links: Vec<Link>,
    /// Unknown fields (`SNF:port_forwarding`, `security_groups`...).
    #[serde(flatten)]
    pub extra: Extra,
}

impl Server {
    /// The IPv4 addresses of its connections, in port order.
    pub fn ipv4_addresses(&self) -> Vec<&str> {
        self.attachments
            .iter()
            .map(|nic| nic.ipv4.as_str())
            .filter(|ip| !ip.is_empty())
            .collect()
    }

    /// The IPv6 addresses of its connections, in port order.
    pub fn ipv6_addresses(&self) -> Vec<&str> {
        self.attachments
            .iter()
            .map(|nic| nic.ipv6.as_str())
            .filter(|ip| !ip.is_empty())
            .collect()
    }
}

/// A network connection of a server (a port, as the compute API shows it).
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
pub struct Nic {
    /// The port id.
    #[serde(default, deserialize_with = "id")]
    pub id: String,
    /// The network it connects to.
    #[serde(default, deserialize_with = "id")]
    pub network_id: String,
    /// Its MAC address.
    #[serde(default, deserialize_with = "nullable")]
    pub mac_address: String,
    /// Its IPv4 address, or `""`.
    #[serde(default, deserialize_with = "nullable")]
    pub ipv4: String,
    /// Its IPv6 address, or `""`.
    #[serde(default, deserialize_with = "nullable")]
    pub ipv6: String,
    /// `ENABLED`, `DISABLED` or `PROTECTED` (public networks only).
    #[serde(
        rename = "firewallProfile",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub firewall_profile: Option<String>,
    /// `fixed` or `floating`.
    #[serde(
        rename = "OS-EXT-IPS:type",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub ip_type: Option<String>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// An address of a server on a network.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
pub struct Address {
    /// 4 or 6.
    #[serde(default)]
    pub version: u8,
    /// The address.
    #[serde(default, deserialize_with = "nullable")]
    pub addr: String,
    /// `fixed` or `floating`.
    #[serde(
        rename = "OS-EXT-IPS:type",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub ip_type: Option<String>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// The network connections of a server (`GET /servers/<id>/ips`).
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
pub struct ServerNics {
    /// Addresses by network id.
    #[serde(default, deserialize_with = "nullable")]
    pub addresses: BTreeMap<String, Vec<Address>>,
    /// The connections (ports).
    #[serde(default, deserialize_with = "nullable")]
    pub attachments: Vec<Nic>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A diagnostic message about a server (its build, mostly).
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
pub struct Diagnostic {
    /// `DEBUG`, `INFO`, `WARNING`, `ERROR`.
    #[serde(default, deserialize_with = "nullable")]
    pub level: String,
    /// When it was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// The process that sent it.
    #[serde(default, deserialize_with = "nullable")]
    pub source: String,
    /// When the source produced it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_date: Option<String>,
    /// The message.
    #[serde(default, deserialize_with = "nullable")]
    pub message: String,
    /// More about it, if anything.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<Value>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A hardware configuration for servers.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
pub struct Flavor {
    /// The flavor id.
    #[serde(default, deserialize_with = "id")]
    pub id: String,
    /// Its name.
    #[serde(default, deserialize_with = "nullable")]
    pub name: String,
    /// RAM in MiB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ram: Option<u64>,
    /// Disk in GB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disk: Option<u64>,
    /// Virtual CPUs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vcpus: Option<u32>,
    /// The storage behind its disks (`drbd`, `ext_archipelago`...).
    #[serde(
        rename = "SNF:disk_template",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub disk_template: Option<String>,
    /// The volume type of its disks.
    #[serde(
        rename = "SNF:volume_type",
        default,
        deserialize_with = "opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub volume_type: Option<String>,
    /// Whether servers may be created with it.
    #[serde(
        rename = "SNF:allow_create",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub allow_create: Option<bool>,
    /// Whether every user may use it (else only members of `flavor_access`).
    #[serde(
        rename = "os-flavor-access:is_public",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub is_public: Option<bool>,
    /// The projects of the user that grant access to it.
    #[serde(rename = "SNF:flavor-access", default, deserialize_with = "nullable")]
    pub flavor_access: Vec<String>,
    /// Its links.
    #[serde(default, deserialize_with = "nullable")]
    pub links: Vec<Link>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// An image as the compute API shows it.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
pub struct Image {
    /// The image id (a uuid).
    #[serde(default, deserialize_with = "id")]
    pub id: String,
    /// Its name.
    #[serde(default, deserialize_with = "nullable")]
    pub name: String,
    /// `ACTIVE`, `SAVING`, `ERROR`, `DELETED`... (empty in plain listings).
    #[serde(default, deserialize_with = "nullable")]
    pub status: String,
    /// 100 once usable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progress: Option<u32>,
    /// Creation time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// Time of the last change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
    /// Its owner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// Its project.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<String>,
    /// Whether every user sees it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public: Option<bool>,
    /// Its metadata (`os`, `users`, `osfamily`...).
    #[serde(default, deserialize_with = "text_map")]
    pub metadata: Metadata,
    /// Its links.
    #[serde(default, deserialize_with = "nullable")]
    pub links: Vec<Link>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

impl Image {
    /// A metadata value, the key matched case-insensitively (Synnefo
    /// deployments spell `os` and `OS` both ways).
    pub fn meta(&self, key: &str) -> Option<&str> {
        self.metadata
            .get(key)
            .or_else(|| {
                self.metadata
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(key))
                    .map(|(_, v)| v)
            })
            .map(String::as_str)
    }
}

/// An ssh key pair.
#[derive(Clone, Default, Deserialize, Serialize, PartialEq)]
pub struct Keypair {
    /// Its name (unique per user).
    #[serde(default, deserialize_with = "nullable")]
    pub name: String,
    /// The public key.
    #[serde(default, deserialize_with = "nullable")]
    pub public_key: String,
    /// The key's fingerprint.
    #[serde(default, deserialize_with = "nullable")]
    pub fingerprint: String,
    /// The private key: only in the reply that generated the pair.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_key: Option<String>,
    /// Its id, in details.
    #[serde(
        default,
        deserialize_with = "opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub id: Option<String>,
    /// Creation time, in details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// Time of the last change, in details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

impl std::fmt::Debug for Keypair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keypair")
            .field("name", &self.name)
            .field("fingerprint", &self.fingerprint)
            .field("public_key", &self.public_key)
            .field("private_key", &self.private_key.as_ref().map(|_| "..."))
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// A floating IP as the OpenStack compute extension `os-floating-ips`
/// shows it (the network API's [`FloatingIp`] says more).
///
/// [`FloatingIp`]: crate::clients::network::FloatingIp
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
pub struct ComputeFloatingIp {
    /// Its id.
    #[serde(default, deserialize_with = "id")]
    pub id: String,
    /// The address (`floating_ip_address` in the network API's form, which
    /// Synnefo answers `GET /os-floating-ips/<id>` with).
    #[serde(default, alias = "floating_ip_address", deserialize_with = "nullable")]
    pub ip: String,
    /// Always `None` in Synnefo.
    #[serde(
        default,
        alias = "fixed_ip_address",
        skip_serializing_if = "Option::is_none"
    )]
    pub fixed_ip: Option<String>,
    /// The server using it, if any.
    #[serde(
        default,
        deserialize_with = "opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub instance_id: Option<String>,
    /// Its pool, if named.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pool: Option<String>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A pool of floating IPs (a public network).
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
pub struct FloatingIpPool {
    /// Its name (in Synnefo, the id of the network).
    #[serde(default, deserialize_with = "id")]
    pub name: String,
    /// How many addresses it has, if told.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// How many are free, if told.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub free: Option<u64>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// The limits of the user (`GET /limits`; Synnefo does not implement it and
/// answers with an error).
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
pub struct Limits {
    /// Absolute limits by name (`maxTotalInstances`...).
    #[serde(default, deserialize_with = "nullable")]
    pub absolute: BTreeMap<String, Value>,
    /// Rate limits.
    #[serde(default, deserialize_with = "nullable")]
    pub rate: Vec<Value>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_details_as_synnefo_sends_them() {
        let server: Server = serde_json::from_value(serde_json::json!({
            "id": 84, "name": "My Other Server", "status": "ACTIVE", "progress": 100,
            "user_id": "u", "tenant_id": "p", "suspended": false,
            "flavor": {"id": 3, "links": []},
            "image": {"id": "im4g3-1d", "links": [{"href": "h", "rel": "self"}]},
            "attachments": [
                {"id": 36, "network_id": "2718", "mac_address": "aa:01", "ipv4": "",
                 "ipv6": "2001:443::21cd", "OS-EXT-IPS:type": "fixed",
                 "firewallProfile": "DISABLED"},
                {"id": 38, "network_id": "4178", "mac_address": "aa:00", "ipv4": "192.168.1.3",
                 "ipv6": "", "OS-EXT-IPS:type": "floating"}
            ],
            "addresses": {"4178": [{"version": 4, "addr": "192.168.1.3", "OS-EXT-IPS:type": "floating"}]},
            "volumes": [12, 13],
            "key_name": null, "SNF:key_names": [], "SNF:fqdn": "snf-84.vm.example.org",
            "SNF:port_forwarding": {}, "SNF:task_state": "", "metadata": {"os": "debian", "users": "root"},
            "tags": ["a"], "diagnostics": [{"level": "DEBUG", "source": "image-info",
            "message": "done", "details": null, "created": "2014-02-21T08:31:37+00:00"}],
            "security_groups": [{"name": "default"}]
        }))
        .unwrap();
        assert_eq!(server.id, "84");
        assert_eq!(server.flavor.as_ref().unwrap().id, "3");
        assert_eq!(server.ipv4_addresses(), vec!["192.168.1.3"]);
        assert_eq!(server.ipv6_addresses(), vec!["2001:443::21cd"]);
        assert_eq!(server.attachments[0].id, "36");
        assert_eq!(server.volumes, vec!["12", "13"]);
        assert_eq!(server.addresses["4178"][0].version, 4);
        assert_eq!(server.diagnostics[0].details, None);
        assert!(server.extra.contains_key("SNF:port_forwarding"));
        assert!(server.extra.contains_key("security_groups"));
        // Unknown fields survive a round trip.
        let again: Server = serde_json::from_value(serde_json::to_value(&server).unwrap()).unwrap();
        assert_eq!(again, server);
    }

    #[test]
    fn plain_listing_items_and_nulls() {
        let server: Server =
            serde_json::from_str(r#"{"id": "42", "name": null, "links": null}"#).unwrap();
        assert_eq!(server.id, "42");
        assert_eq!(server.status, "");
        let flavor: Flavor = serde_json::from_str(
            r#"{"id": 1, "name": "C1R1024D20", "ram": 1024, "disk": 20, "vcpus": 1,
                "SNF:disk_template": "drbd", "os-flavor-access:is_public": true,
                "SNF:flavor-access": [], "SNF:volume_type": 1}"#,
        )
        .unwrap();
        assert_eq!(flavor.id, "1");
        assert_eq!(flavor.volume_type.as_deref(), Some("1"));
        assert_eq!(flavor.is_public, Some(true));
    }

    #[test]
    fn image_meta_is_case_insensitive() {
        let image: Image =
            serde_json::from_str(r#"{"id": "x", "metadata": {"OS": "debian", "users": "root"}}"#)
                .unwrap();
        assert_eq!(image.meta("os"), Some("debian"));
        assert_eq!(image.meta("USERS"), Some("root"));
        assert_eq!(image.meta("osfamily"), None);
    }

    #[test]
    fn private_keys_stay_out_of_debug() {
        let key = Keypair {
            name: "k".into(),
            private_key: Some("-----BEGIN SECRET".into()),
            ..Keypair::default()
        };
        assert!(!format!("{key:?}").contains("SECRET"));
    }
}
