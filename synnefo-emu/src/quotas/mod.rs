//! Quotas: limits and usage per project, per member and per resource, kept
//! as Astakos' quotaholder keeps them; every service charges what it
//! allocates here.
//!
//! The book is made of *holdings*, one per `(holder, source, resource)`:
//! a member's holding is `("user:<uuid>", Some("project:<id>"), resource)`,
//! a project's own is `("project:<id>", None, resource)`. Each has a limit
//! and a usage, and allocations in progress (*commissions*) count as
//! pending until accepted or rejected.
//!
//! Each user has a personal ("system") project whose id is the user's uuid;
//! its holdings are made on first use with the limits of [`RESOURCES`].
//! Other projects get holdings when they are approved and their members
//! when accepted (see [`crate::account`]). A charge is all-or-nothing:
//! charging a project the user is not a member of fails with `badRequest`
//! (`User <uuid> not in project <id>`, as Cyclades answers); going over a
//! member limit or a project limit fails with `overLimit` (413) and nothing
//! is charged.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::errors::ApiError;

mod book;
mod commission;
mod resources;
pub use book::*;
pub use commission::*;
pub use resources::*;

/// One line of a quota report, as `GET /quotas` shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct QuotaEntry {
    /// The member's limit.
    pub limit: u64,
    /// The member's usage (pending allocations included).
    pub usage: u64,
    /// The member's allocations in progress.
    pub pending: u64,
    /// The project's limit.
    pub project_limit: u64,
    /// The project's usage by all members.
    pub project_usage: u64,
    /// The project's allocations in progress.
    pub project_pending: u64,
}

/// A project's line of a report (`GET /service_project_quotas`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ProjectQuotaEntry {
    /// The project's limit.
    pub project_limit: u64,
    /// The project's usage by all members.
    pub project_usage: u64,
    /// The project's allocations in progress.
    pub project_pending: u64,
}

type Key = (String, Option<String>, String);

/// The quota book of the cloud.
#[derive(Debug, Default)]
pub struct Quotas {
    book: Mutex<Book>,
}

impl Quotas {
    fn book(&self) -> std::sync::MutexGuard<'_, Book> {
        self.book.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The state as JSON, for the data dir: every holding (limit and
    /// usage, pending allocations included), the pending commissions and
    /// the last serial issued.
    pub fn snapshot(&self) -> Value {
        let book = self.book().clone();
        // Cannot fail: holdings are written as a list, commissions by
        // integer serial, and every other value is a string or a number.
        serde_json::to_value(book).unwrap_or(Value::Null)
    }

    /// Replaces the state with a snapshot taken by `snapshot` (the quota
    /// book has no start options): pending commissions stay pending, for
    /// their service to accept or reject.
    pub fn restore(&self, snapshot: Value) -> Result<(), serde_json::Error> {
        let book: Book = serde_json::from_value(snapshot)?;
        *self.book() = book;
        Ok(())
    }

    /// Makes sure a user's system project (whose id is the uuid) has its
    /// holdings.
    pub fn ensure_system_project(&self, uuid: &str) {
        self.book().ensure_system(uuid);
    }

    /// Whether `user` holds quota in `project`: the project is their system
    /// project, or they have been accepted in it.
    pub fn is_member(&self, user: &str, project: &str) -> bool {
        if user == project {
            return true;
        }
        let prefix = (user_ref(user), Some(project_ref(project)));
        self.book()
            .holdings
            .keys()
            .any(|(h, s, _)| *h == prefix.0 && *s == prefix.1)
    }

    /// Charges `user` in `project` for each `(resource, delta)` at once
    /// (negative deltas release, never below zero). All or nothing: a
    /// project the user is not a member of is a `badRequest`; over a limit
    /// is an `overLimit` (413) naming the resource.
    pub fn charge(
        &self,
        user: &str,
        project: &str,
        deltas: &[(&str, i64)],
    ) -> Result<(), ApiError> {
        let mut book = self.book();
        if user == project {
            book.ensure_system(user);
        }
        let provisions = member_provisions(user, project, deltas);
        // Releases are forced (clamped at zero); only imports are checked.
        let (imports, releases): (Vec<Provision>, Vec<Provision>) =
            provisions.into_iter().partition(|p| p.quantity > 0);
        if let Err(e) = book.prepare(&imports, false) {
            return Err(match e.kind {
                CommissionErrorKind::NoHolding if e.provision.source.is_some() => {
                    ApiError::bad_request(format!("User {user} not in project {project}"))
                }
                CommissionErrorKind::NoHolding => ApiError::bad_request(format!(
                    "Unknown resource {} in project {project}",
                    e.provision.resource
                )),
                _ => e.service_fault(),
            });
        }
        book.resolve(&imports, true);
        let releases: Vec<Provision> = releases
            .into_iter()
            .filter(|p| book.holdings.contains_key(&p.key()))
            .collect();
        if book.prepare(&releases, true).is_ok() {
            book.resolve(&releases, true);
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

    /// Moves a member's usage from one project to another (a resource
    /// reassigned): the new project is charged, the old one released; all
    /// or nothing, with the faults of [`Quotas::charge`].
    pub fn reassign(
        &self,
        user: &str,
        from_project: &str,
        to_project: &str,
        amounts: &[(&str, u64)],
    ) -> Result<(), ApiError> {
        let deltas: Vec<(&str, i64)> = amounts
            .iter()
            .map(|(r, a)| (*r, i64::try_from(*a).unwrap_or(i64::MAX)))
            .collect();
        self.charge(user, to_project, &deltas)?;
        self.release(user, from_project, amounts);
        Ok(())
    }

    /// Sets a member's limit of a resource in a project (making the
    /// holding if needed).
    pub fn set_member_limit(&self, project: &str, user: &str, resource: &str, limit: u64) {
        let mut book = self.book();
        if user == project {
            book.ensure_system(user);
        }
        book.holdings
            .entry((
                user_ref(user),
                Some(project_ref(project)),
                resource.to_string(),
            ))
            .or_default()
            .limit = limit;
        book.holdings
            .entry((project_ref(project), None, resource.to_string()))
            .or_default();
    }

    /// Sets a project's overall limit of a resource.
    pub fn set_project_limit(&self, project: &str, resource: &str, limit: u64) {
        self.book()
            .holdings
            .entry((project_ref(project), None, resource.to_string()))
            .or_default()
            .limit = limit;
    }

    /// Sets the limits of a project and of its members at once, as Astakos
    /// does when a project changes: `limits` maps each resource to
    /// `(member limit, project limit)`; `members` are `(uuid, active)`, an
    /// inactive member getting 0. Usage is kept.
    pub fn sync_project(
        &self,
        project: &str,
        limits: &BTreeMap<String, (u64, u64)>,
        project_active: bool,
        members: &[(String, bool)],
    ) {
        let mut book = self.book();
        for (resource, (member_limit, project_limit)) in limits {
            let limit = if project_active { *project_limit } else { 0 };
            book.holdings
                .entry((project_ref(project), None, resource.clone()))
                .or_default()
                .limit = limit;
            for (user, active) in members {
                let limit = if *active && project_active {
                    *member_limit
                } else {
                    0
                };
                book.holdings
                    .entry((user_ref(user), Some(project_ref(project)), resource.clone()))
                    .or_default()
                    .limit = limit;
            }
        }
    }

    /// A member's usage of a resource in a project.
    pub fn usage(&self, user: &str, project: &str, resource: &str) -> u64 {
        self.book()
            .holding(&(
                user_ref(user),
                Some(project_ref(project)),
                resource.to_string(),
            ))
            .map_or(0, |h| h.usage_max)
    }

    /// The report of one member of one project, every resource (zeros
    /// where the user holds nothing).
    pub fn report(&self, user: &str, project: &str) -> BTreeMap<String, QuotaEntry> {
        let mut book = self.book();
        if user == project {
            book.ensure_system(user);
        }
        RESOURCES
            .iter()
            .map(|r| {
                (
                    r.name.to_string(),
                    book.entry(user, project, r.name).unwrap_or_default(),
                )
            })
            .collect()
    }

    /// A member's report restricted to `resources`, only where the user
    /// has a holding (as Astakos reports).
    pub fn member_report(
        &self,
        user: &str,
        project: &str,
        resources: &[&str],
    ) -> BTreeMap<String, QuotaEntry> {
        let book = self.book();
        resources
            .iter()
            .filter_map(|r| book.entry(user, project, r).map(|e| (r.to_string(), e)))
            .collect()
    }

    /// The projects a user holds quota in.
    pub fn member_projects(&self, user: &str) -> BTreeSet<String> {
        let holder = user_ref(user);
        self.book()
            .holdings
            .keys()
            .filter(|(h, _, _)| *h == holder)
            .filter_map(|(_, s, _)| s.as_deref())
            .filter_map(|s| s.strip_prefix("project:"))
            .map(str::to_string)
            .collect()
    }

    /// A project's own report restricted to `resources`.
    pub fn project_report(
        &self,
        project: &str,
        resources: &[&str],
    ) -> BTreeMap<String, ProjectQuotaEntry> {
        let book = self.book();
        resources
            .iter()
            .filter_map(|r| {
                book.holding(&(project_ref(project), None, r.to_string()))
                    .map(|h| {
                        (
                            r.to_string(),
                            ProjectQuotaEntry {
                                project_limit: h.limit,
                                project_usage: h.usage_max,
                                project_pending: h.usage_max - h.usage_min,
                            },
                        )
                    })
            })
            .collect()
    }

    /// Issues a commission for `clientkey` (accepted at once when
    /// `auto_accept`) and returns its serial.
    pub fn issue_commission(
        &self,
        clientkey: &str,
        provisions: Vec<Provision>,
        name: &str,
        force: bool,
        auto_accept: bool,
        issue_time: String,
    ) -> Result<u64, Box<CommissionError>> {
        let provisions = merge(provisions);
        let mut book = self.book();
        book.prepare(&provisions, force)?;
        book.last_serial += 1;
        let serial = book.last_serial;
        if auto_accept {
            book.resolve(&provisions, true);
        } else {
            book.commissions.insert(
                serial,
                Commission {
                    serial,
                    clientkey: clientkey.to_string(),
                    name: name.to_string(),
                    issue_time,
                    provisions,
                },
            );
        }
        Ok(serial)
    }

    /// The serials of the pending commissions of `clientkey`.
    pub fn pending_commissions(&self, clientkey: &str) -> Vec<u64> {
        self.book()
            .commissions
            .values()
            .filter(|c| c.clientkey == clientkey)
            .map(|c| c.serial)
            .collect()
    }

    /// A pending commission of `clientkey`.
    pub fn commission(&self, clientkey: &str, serial: u64) -> Option<Commission> {
        self.book()
            .commissions
            .get(&serial)
            .filter(|c| c.clientkey == clientkey)
            .cloned()
    }

    /// Accepts and rejects pending commissions of `clientkey`.
    pub fn resolve_commissions(
        &self,
        clientkey: &str,
        accept: &[u64],
        reject: &[u64],
    ) -> Resolution {
        let mut out = Resolution::default();
        let mut actions: BTreeMap<u64, bool> = accept.iter().map(|s| (*s, true)).collect();
        for serial in reject {
            if actions.get(serial) == Some(&true) {
                actions.remove(serial);
                if !out.conflicting.contains(serial) {
                    out.conflicting.push(*serial);
                }
            } else if !out.conflicting.contains(serial) {
                actions.insert(*serial, false);
            }
        }
        let mut book = self.book();
        for (serial, accept) in actions {
            let mine = book
                .commissions
                .get(&serial)
                .is_some_and(|c| c.clientkey == clientkey);
            let commission = if mine {
                book.commissions.remove(&serial)
            } else {
                None
            };
            match commission {
                None => out.not_found.push(serial),
                Some(c) => {
                    book.resolve(&c.provisions, accept);
                    if accept {
                        out.accepted.push(serial);
                    } else {
                        out.rejected.push(serial);
                    }
                }
            }
        }
        out
    }

    /// The client key the emulator's services charge under.
    pub fn services_client() -> &'static str {
        SERVICES_CLIENT
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charges_are_all_or_nothing_and_released() {
        let q = Quotas::default();
        q.set_member_limit("u", "u", "cyclades.vm", 2);
        q.charge("u", "u", &[("cyclades.vm", 1), ("cyclades.cpu", 4)])
            .unwrap();
        q.charge("u", "u", &[("cyclades.vm", 1)]).unwrap();
        let err = q
            .charge("u", "u", &[("cyclades.cpu", 1), ("cyclades.vm", 1)])
            .unwrap_err();
        assert_eq!((err.name, err.code), ("overLimit", 413));
        assert!(err.details.contains("'Virtual Machine'"), "{}", err.details);
        assert!(err.details.contains("Available: 0, Requested: 1"));
        assert_eq!(
            q.usage("u", "u", "cyclades.cpu"),
            4,
            "nothing charged on failure"
        );
        q.release("u", "u", &[("cyclades.vm", 5)]);
        assert_eq!(q.usage("u", "u", "cyclades.vm"), 0);
        let report = q.report("u", "u");
        assert_eq!(report["cyclades.vm"].limit, 2);
        assert_eq!(report["cyclades.cpu"].project_usage, 4);
        assert_eq!(report["cyclades.cpu"].project_limit, 40);
    }

    #[test]
    fn project_limit_binds_all_members() {
        let q = Quotas::default();
        let limits = BTreeMap::from([("cyclades.vm".to_string(), (1, 1))]);
        let members = [("a".to_string(), true), ("b".to_string(), true)];
        q.sync_project("p", &limits, true, &members);
        q.charge("a", "p", &[("cyclades.vm", 1)]).unwrap();
        let err = q.charge("b", "p", &[("cyclades.vm", 1)]).unwrap_err();
        assert_eq!(err.code, 413);
    }

    #[test]
    fn charging_outside_ones_projects_is_refused() {
        let q = Quotas::default();
        let err = q.charge("a", "p", &[("cyclades.vm", 1)]).unwrap_err();
        assert_eq!((err.name, err.code), ("badRequest", 400));
        assert_eq!(err.message, "User a not in project p");
        // Another user's system project is not one's own.
        let err = q.charge("a", "b", &[("cyclades.vm", 1)]).unwrap_err();
        assert_eq!(err.code, 400);
        assert!(!q.is_member("a", "b"));
        assert!(q.is_member("a", "a"));
        // A removed member keeps the holding with a zero limit.
        let limits = BTreeMap::from([("cyclades.vm".to_string(), (1, 5))]);
        q.sync_project("p", &limits, true, &[("a".to_string(), false)]);
        assert_eq!(
            q.charge("a", "p", &[("cyclades.vm", 1)]).unwrap_err().code,
            413
        );
    }

    #[test]
    fn commissions_are_pending_until_resolved() {
        let q = Quotas::default();
        q.ensure_system_project("u");
        let provisions = member_provisions("u", "u", &[("cyclades.vm", 3)]);
        let serial = q
            .issue_commission("svc", provisions, "make vms", false, false, "t".into())
            .unwrap();
        let report = q.report("u", "u");
        assert_eq!(
            (report["cyclades.vm"].usage, report["cyclades.vm"].pending),
            (3, 3)
        );
        assert_eq!(q.pending_commissions("svc"), vec![serial]);
        assert!(q.pending_commissions("other").is_empty());
        assert_eq!(q.commission("svc", serial).unwrap().provisions.len(), 2);
        let res = q.resolve_commissions("svc", &[serial, 99], &[99]);
        assert_eq!(res.accepted, vec![serial]);
        assert_eq!(res.conflicting, vec![99]);
        let report = q.report("u", "u");
        assert_eq!(
            (report["cyclades.vm"].usage, report["cyclades.vm"].pending),
            (3, 0)
        );
        // Rejecting undoes.
        let provisions = member_provisions("u", "u", &[("cyclades.vm", 2)]);
        let serial = q
            .issue_commission("svc", provisions, "", false, false, "t".into())
            .unwrap();
        let res = q.resolve_commissions("svc", &[], &[serial]);
        assert_eq!(res.rejected, vec![serial]);
        assert_eq!(q.usage("u", "u", "cyclades.vm"), 3);
        // Over the limit, with the data Astakos gives.
        let provisions = member_provisions("u", "u", &[("cyclades.vm", 8)]);
        let err = q
            .issue_commission("svc", provisions, "", false, false, "t".into())
            .unwrap_err();
        assert_eq!(err.kind, CommissionErrorKind::NoCapacity);
        assert_eq!((err.limit, err.usage), (Some(10), Some(3)));
        let (code, body) = err.body();
        assert_eq!(code, 413);
        assert_eq!(body["overLimit"]["data"]["name"], "NoCapacityError");
        // Releasing more than held.
        let provisions = member_provisions("u", "u", &[("cyclades.vm", -4)]);
        let err = q
            .issue_commission("svc", provisions, "", false, true, "t".into())
            .unwrap_err();
        assert_eq!(err.kind, CommissionErrorKind::NoQuantity);
        // A holding that does not exist.
        let provisions = member_provisions("u", "nope", &[("cyclades.vm", 1)]);
        let err = q
            .issue_commission("svc", provisions, "", false, true, "t".into())
            .unwrap_err();
        assert_eq!(err.body().0, 404);
    }

    #[test]
    fn reassigning_moves_usage() {
        let q = Quotas::default();
        let limits = BTreeMap::from([("pithos.diskspace".to_string(), (100, 100))]);
        q.sync_project("p", &limits, true, &[("u".to_string(), true)]);
        q.charge("u", "u", &[("pithos.diskspace", 60)]).unwrap();
        q.reassign("u", "u", "p", &[("pithos.diskspace", 60)])
            .unwrap();
        assert_eq!(q.usage("u", "u", "pithos.diskspace"), 0);
        assert_eq!(q.usage("u", "p", "pithos.diskspace"), 60);
        assert!(q
            .reassign("u", "p", "p", &[("pithos.diskspace", 60)])
            .is_err());
        assert_eq!(q.member_projects("u").len(), 2);
    }

    #[test]
    fn snapshots_round_trip_with_pending_commissions() {
        let q = Quotas::default();
        q.ensure_system_project("u");
        q.charge("u", "u", &[("cyclades.vm", 2)]).unwrap();
        let provisions = member_provisions("u", "u", &[("cyclades.vm", 3)]);
        let serial = q
            .issue_commission("svc", provisions, "vms", false, false, "t".into())
            .unwrap();
        let snapshot = q.snapshot();
        let holdings = snapshot["holdings"].as_array().unwrap();
        let vm = holdings
            .iter()
            .find(|h| h["holder"] == "user:u" && h["resource"] == "cyclades.vm")
            .unwrap();
        assert_eq!(
            (&vm["source"], &vm["usage_min"], &vm["usage_max"]),
            (&json!("project:u"), &json!(2), &json!(5))
        );
        assert_eq!(snapshot["last_serial"], serial);

        let restored = Quotas::default();
        restored.restore(snapshot.clone()).unwrap();
        assert_eq!(restored.snapshot(), snapshot);
        assert_eq!(restored.report("u", "u"), q.report("u", "u"));
        assert_eq!(restored.pending_commissions("svc"), vec![serial]);
        assert_eq!(
            restored.commission("svc", serial),
            q.commission("svc", serial)
        );
        // Still pending: the service resolves it after the restart.
        let res = restored.resolve_commissions("svc", &[serial], &[]);
        assert_eq!(res.accepted, vec![serial]);
        assert_eq!(restored.usage("u", "u", "cyclades.vm"), 5);
        let next = restored
            .issue_commission("svc", vec![], "", false, false, "t".into())
            .unwrap();
        assert_eq!(next, serial + 1, "serials are not reused");
    }
}
