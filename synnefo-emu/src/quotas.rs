//! Quotas: limits and usage per project, per member and per resource, as
//! Astakos keeps them; every service charges what it allocates here.
//!
//! Each user has a personal ("system") project whose id is the user's uuid.
//! A charge is all-or-nothing: if any resource would exceed its member limit
//! or its project limit, nothing is charged and an `overLimit` (413) fault
//! says which.

use std::collections::BTreeMap;
use std::sync::Mutex;

use serde::Serialize;

use crate::faults::Fault;

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
}

const GIB: u64 = 1 << 30;

/// Every resource, as a Synnefo deployment registers them.
pub const RESOURCES: &[Resource] = &[
    res(
        "astakos.pending_app",
        "Number of pending project applications",
        None,
        "astakos_account",
        5,
    ),
    res(
        "cyclades.vm",
        "Number of virtual machines",
        None,
        "cyclades_compute",
        10,
    ),
    res(
        "cyclades.total_cpu",
        "Number of virtual machine processors",
        None,
        "cyclades_compute",
        40,
    ),
    res(
        "cyclades.cpu",
        "Number of virtual machine processors of running servers",
        None,
        "cyclades_compute",
        40,
    ),
    res(
        "cyclades.total_ram",
        "Virtual machine memory size",
        Some("bytes"),
        "cyclades_compute",
        40 * GIB,
    ),
    res(
        "cyclades.ram",
        "Virtual machine memory size of running servers",
        Some("bytes"),
        "cyclades_compute",
        40 * GIB,
    ),
    res(
        "cyclades.disk",
        "Virtual machine disk size",
        Some("bytes"),
        "cyclades_compute",
        400 * GIB,
    ),
    res(
        "cyclades.floating_ip",
        "Number of Floating IP addresses",
        None,
        "cyclades_network",
        5,
    ),
    res(
        "cyclades.network.private",
        "Number of private networks",
        None,
        "cyclades_network",
        5,
    ),
    res(
        "pithos.diskspace",
        "Pithos account diskspace",
        Some("bytes"),
        "pithos_object-store",
        50 * GIB,
    ),
];

const fn res(
    name: &'static str,
    description: &'static str,
    unit: Option<&'static str>,
    service: &'static str,
    default_limit: u64,
) -> Resource {
    Resource {
        name,
        description,
        unit,
        service,
        default_limit,
    }
}

/// A resource by name.
pub fn resource(name: &str) -> Option<&'static Resource> {
    RESOURCES.iter().find(|r| r.name == name)
}

/// One line of a quota report, as `GET /quotas` shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct QuotaEntry {
    /// The member's limit.
    pub limit: u64,
    /// The member's usage.
    pub usage: u64,
    /// Allocations in progress (always 0: the emulator commits at once).
    pub pending: u64,
    /// The project's limit.
    pub project_limit: u64,
    /// The project's usage by all members.
    pub project_usage: u64,
    /// The project's allocations in progress.
    pub project_pending: u64,
}

#[derive(Debug, Default)]
struct Book {
    /// (project, user) -> resource -> usage.
    usage: BTreeMap<(String, String), BTreeMap<String, u64>>,
    /// (project, user) -> resource -> member limit, where set.
    member_limits: BTreeMap<(String, String), BTreeMap<String, u64>>,
    /// project -> resource -> project limit, where set.
    project_limits: BTreeMap<String, BTreeMap<String, u64>>,
}

/// The quota book of the cloud.
#[derive(Debug, Default)]
pub struct Quotas {
    book: Mutex<Book>,
}

impl Book {
    fn usage(&self, project: &str, user: &str, resource: &str) -> u64 {
        self.usage
            .get(&(project.to_string(), user.to_string()))
            .and_then(|r| r.get(resource))
            .copied()
            .unwrap_or(0)
    }

    fn project_usage(&self, project: &str, resource: &str) -> u64 {
        self.usage
            .iter()
            .filter(|((p, _), _)| p == project)
            .filter_map(|(_, r)| r.get(resource))
            .sum()
    }

    fn default_limit(&self, resource: &str) -> u64 {
        crate::quotas::resource(resource).map_or(0, |r| r.default_limit)
    }

    fn member_limit(&self, project: &str, user: &str, resource: &str) -> u64 {
        self.member_limits
            .get(&(project.to_string(), user.to_string()))
            .and_then(|r| r.get(resource))
            .copied()
            .unwrap_or_else(|| self.default_limit(resource))
    }

    fn project_limit(&self, project: &str, resource: &str) -> u64 {
        self.project_limits
            .get(project)
            .and_then(|r| r.get(resource))
            .copied()
            .unwrap_or_else(|| self.default_limit(resource))
    }
}

impl Quotas {
    fn book(&self) -> std::sync::MutexGuard<'_, Book> {
        self.book.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Charges `user` in `project` for each `(resource, delta)`; negative
    /// deltas release. All or nothing: over a limit, nothing is charged and
    /// the fault is `overLimit` (413).
    pub fn charge(&self, user: &str, project: &str, deltas: &[(&str, i64)]) -> Result<(), Fault> {
        let mut book = self.book();
        for (resource, delta) in deltas {
            if *delta <= 0 {
                continue;
            }
            let delta = delta.unsigned_abs();
            let usage = book.usage(project, user, resource);
            let limit = book.member_limit(project, user, resource);
            let project_usage = book.project_usage(project, resource);
            let project_limit = book.project_limit(project, resource);
            if usage + delta > limit || project_usage + delta > project_limit {
                return Err(Fault::over_limit("Resource Limit Exceeded for your account.").with_details(format!(
                    "Limit for resource '{resource}' exceeded for your account. Available: {}, Requested: {delta}",
                    limit.saturating_sub(usage).min(project_limit.saturating_sub(project_usage))
                )));
            }
        }
        let entry = book
            .usage
            .entry((project.to_string(), user.to_string()))
            .or_default();
        for (resource, delta) in deltas {
            let usage = entry.entry(resource.to_string()).or_insert(0);
            *usage = usage.saturating_add_signed(*delta);
        }
        Ok(())
    }

    /// Releases what [`Quotas::charge`] charged (never below zero).
    pub fn release(&self, user: &str, project: &str, amounts: &[(&str, u64)]) {
        let deltas: Vec<(&str, i64)> = amounts
            .iter()
            .map(|(r, a)| (*r, -(i64::try_from(*a).unwrap_or(i64::MAX))))
            .collect();
        // Releasing never exceeds a limit, so this cannot fail.
        let _ = self.charge(user, project, &deltas);
    }

    /// Sets a member's limit of a resource in a project.
    pub fn set_member_limit(&self, project: &str, user: &str, resource: &str, limit: u64) {
        self.book()
            .member_limits
            .entry((project.to_string(), user.to_string()))
            .or_default()
            .insert(resource.to_string(), limit);
    }

    /// Sets a project's overall limit of a resource.
    pub fn set_project_limit(&self, project: &str, resource: &str, limit: u64) {
        self.book()
            .project_limits
            .entry(project.to_string())
            .or_default()
            .insert(resource.to_string(), limit);
    }

    /// A member's usage of a resource in a project.
    pub fn usage(&self, user: &str, project: &str, resource: &str) -> u64 {
        self.book().usage(project, user, resource)
    }

    /// The report of one member of one project, every resource.
    pub fn report(&self, user: &str, project: &str) -> BTreeMap<String, QuotaEntry> {
        let book = self.book();
        RESOURCES
            .iter()
            .map(|r| {
                (
                    r.name.to_string(),
                    QuotaEntry {
                        limit: book.member_limit(project, user, r.name),
                        usage: book.usage(project, user, r.name),
                        pending: 0,
                        project_limit: book.project_limit(project, r.name),
                        project_usage: book.project_usage(project, r.name),
                        project_pending: 0,
                    },
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charges_are_all_or_nothing_and_released() {
        let q = Quotas::default();
        q.set_member_limit("p", "u", "cyclades.vm", 2);
        q.charge("u", "p", &[("cyclades.vm", 1), ("cyclades.cpu", 4)])
            .unwrap();
        q.charge("u", "p", &[("cyclades.vm", 1)]).unwrap();
        let err = q
            .charge("u", "p", &[("cyclades.cpu", 1), ("cyclades.vm", 1)])
            .unwrap_err();
        assert_eq!((err.name, err.code), ("overLimit", 413));
        assert_eq!(
            q.usage("u", "p", "cyclades.cpu"),
            4,
            "nothing charged on failure"
        );
        q.release("u", "p", &[("cyclades.vm", 5)]);
        assert_eq!(q.usage("u", "p", "cyclades.vm"), 0);
        let report = q.report("u", "p");
        assert_eq!(report["cyclades.vm"].limit, 2);
        assert_eq!(report["cyclades.cpu"].project_usage, 4);
    }

    #[test]
    fn project_limit_binds_all_members() {
        let q = Quotas::default();
        q.set_project_limit("p", "cyclades.vm", 1);
        q.charge("a", "p", &[("cyclades.vm", 1)]).unwrap();
        assert!(q.charge("b", "p", &[("cyclades.vm", 1)]).is_err());
    }
}
