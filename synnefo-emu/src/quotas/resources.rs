//! The resources Synnefo accounts for (`cyclades.vm`, `pithos.diskspace`,
//! ...), their default limits and descriptions, and the holder names of
//! the quotaholder (`user:<uuid>`, `project:<id>`).

/// A resource Astakos knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Resource {
    /// Its name, e.g. `cyclades.vm`.
    pub name: &'static str,
    /// What it is.
    pub description: &'static str,
    /// Its unit (`bytes`) if any.
    pub unit: Option<&'static str>,
    /// The service that offers it.
    pub service: &'static str,
    /// The limit a user's system project gives.
    pub default_limit: u64,
    /// Whether the API shows it (`GET /resources`, `GET /quotas`, projects).
    pub api_visible: bool,
    /// Whether the web UI shows it.
    pub ui_visible: bool,
}

pub(super) const GIB: u64 = 1 << 30;

/// Every resource, as a Synnefo deployment registers them.
pub const RESOURCES: &[Resource] = &[
    res(
        "astakos.pending_app",
        "Number of pending project applications",
        None,
        "astakos_account",
        5,
        false,
    ),
    res(
        "cyclades.vm",
        "Number of virtual machines",
        None,
        "cyclades_compute",
        10,
        true,
    ),
    res(
        "cyclades.total_cpu",
        "Number of virtual machine processors",
        None,
        "cyclades_compute",
        40,
        false,
    ),
    res(
        "cyclades.cpu",
        "Number of virtual machine processors of running servers",
        None,
        "cyclades_compute",
        40,
        true,
    ),
    res(
        "cyclades.total_ram",
        "Virtual machine memory size",
        Some("bytes"),
        "cyclades_compute",
        40 * GIB,
        false,
    ),
    res(
        "cyclades.ram",
        "Virtual machine memory size of running servers",
        Some("bytes"),
        "cyclades_compute",
        40 * GIB,
        true,
    ),
    res(
        "cyclades.disk",
        "Virtual machine disk size",
        Some("bytes"),
        "cyclades_compute",
        400 * GIB,
        true,
    ),
    res(
        "cyclades.floating_ip",
        "Number of Floating IP addresses",
        None,
        "cyclades_network",
        5,
        true,
    ),
    res(
        "cyclades.network.private",
        "Number of private networks",
        None,
        "cyclades_network",
        5,
        true,
    ),
    res(
        "pithos.diskspace",
        "Pithos account diskspace",
        Some("bytes"),
        "pithos_object-store",
        50 * GIB,
        true,
    ),
];

pub(super) const fn res(
    name: &'static str,
    description: &'static str,
    unit: Option<&'static str>,
    service: &'static str,
    default_limit: u64,
    visible: bool,
) -> Resource {
    Resource {
        name,
        description,
        unit,
        service,
        default_limit,
        api_visible: visible,
        ui_visible: visible,
    }
}

/// A resource by name.
pub fn resource(name: &str) -> Option<&'static Resource> {
    RESOURCES.iter().find(|r| r.name == name)
}

/// The name Astakos' client shows for a resource in over-limit messages.
pub(super) fn display_name(resource: &str) -> &str {
    match resource {
        "cyclades.disk" => "Disk",
        "cyclades.vm" => "Virtual Machine",
        "cyclades.cpu" => "CPU",
        "cyclades.ram" => "RAM",
        "cyclades.floating_ip" => "Floating IP address",
        "cyclades.network.private" => "Private Network",
        "pithos.diskspace" => "Storage space",
        "astakos.pending_app" => "Pending Applications",
        other => other,
    }
}

/// The holder name of a user (`user:<uuid>`).
pub fn user_ref(uuid: &str) -> String {
    format!("user:{uuid}")
}

/// The holder (or source) name of a project (`project:<id>`).
pub fn project_ref(project: &str) -> String {
    format!("project:{project}")
}
