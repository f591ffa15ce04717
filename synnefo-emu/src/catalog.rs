//! The service catalog: every service of the cloud at the emulator's own
//! URLs, laid out as a Synnefo deployment lays them out (component prefix,
//! service prefix, and the version unless the service hides it).

use serde_json::{json, Value};

/// A service of the catalog.
#[derive(Clone, Copy, Debug)]
pub struct ServiceEntry {
    /// Its name, e.g. `cyclades_compute`.
    pub name: &'static str,
    /// Its type, e.g. `compute`.
    pub service_type: &'static str,
    /// The component that serves it (`astakos`, `cyclades`, `pithos`).
    pub component: &'static str,
    /// Its prefix under the component.
    pub prefix: &'static str,
    /// Its API version (may be empty).
    pub version: &'static str,
    /// Whether the version is part of the public URL.
    pub expose_version: bool,
}

/// The public services, in catalog order.
pub const SERVICES: &[ServiceEntry] = &[
    entry(
        "astakos_account",
        "account",
        "astakos",
        "account",
        "v1.0",
        true,
    ),
    entry(
        "astakos_identity",
        "identity",
        "astakos",
        "identity",
        "v2.0",
        true,
    ),
    entry(
        "astakos_weblogin",
        "astakos_weblogin",
        "astakos",
        "weblogin",
        "",
        true,
    ),
    entry(
        "astakos_oauth2",
        "astakos_auth",
        "astakos",
        "oauth2",
        "",
        true,
    ),
    entry(
        "cyclades_compute",
        "compute",
        "cyclades",
        "compute",
        "v2.0",
        true,
    ),
    entry(
        "cyclades_plankton",
        "image",
        "cyclades",
        "image",
        "v1.0",
        false,
    ),
    entry(
        "cyclades_network",
        "network",
        "cyclades",
        "network",
        "v2.0",
        false,
    ),
    entry("cyclades_vmapi", "vmapi", "cyclades", "vmapi", "v1.0", true),
    entry(
        "cyclades_volume",
        "volume",
        "cyclades",
        "volume",
        "v2.0",
        false,
    ),
    entry(
        "pithos_object-store",
        "object-store",
        "pithos",
        "object-store",
        "v1",
        true,
    ),
];

const fn entry(
    name: &'static str,
    service_type: &'static str,
    component: &'static str,
    prefix: &'static str,
    version: &'static str,
    expose_version: bool,
) -> ServiceEntry {
    ServiceEntry {
        name,
        service_type,
        component,
        prefix,
        version,
        expose_version,
    }
}

impl ServiceEntry {
    /// The public URL of the service under `base_url`.
    pub fn public_url(&self, base_url: &str) -> String {
        let mut url = format!("{base_url}/{}/{}", self.component, self.prefix);
        if self.expose_version && !self.version.is_empty() {
            url.push('/');
            url.push_str(self.version);
        }
        url
    }

    /// The path where the service is served, version included (clients
    /// append the version the catalog hides).
    pub fn served_path(&self) -> String {
        let mut path = format!("/{}/{}", self.component, self.prefix);
        if !self.version.is_empty() {
            path.push('/');
            path.push_str(self.version);
        }
        path
    }
}

/// The catalog entry of a service type.
pub fn service(service_type: &str) -> Option<&'static ServiceEntry> {
    SERVICES.iter().find(|s| s.service_type == service_type)
}

/// The catalog as `POST /tokens` answers it.
pub fn catalog_json(base_url: &str) -> Value {
    let services: Vec<Value> = SERVICES
        .iter()
        .map(|s| {
            let mut endpoint = json!({
                "versionId": s.version,
                "publicURL": s.public_url(base_url),
                "SNF:uiURL": format!("{base_url}/{}/ui", s.component),
                "region": "default",
            });
            if s.name == "astakos_weblogin" {
                endpoint["SNF:webloginURL"] = endpoint["publicURL"].clone();
            }
            json!({
                "name": s.name,
                "type": s.service_type,
                "endpoints": [endpoint],
                "endpoints_links": [],
            })
        })
        .collect();
    Value::Array(services)
}

/// The component of the catalog's service named `name` (e.g.
/// `cyclades_compute` is `cyclades`'s).
pub fn component_of(name: &str) -> Option<&'static str> {
    SERVICES
        .iter()
        .find(|s| s.name == name)
        .map(|s| s.component)
}
