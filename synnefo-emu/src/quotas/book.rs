//! The quotaholder's book: one holding (limit, usage, pending) per
//! holder, source and resource, and the all-or-nothing application of
//! provisions to it.

use super::*;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Holding {
    pub(super) limit: u64,
    /// Usage committed.
    pub(super) usage_min: u64,
    /// Usage committed plus pending imports.
    pub(super) usage_max: u64,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(super) struct Book {
    /// A list of holdings in snapshots (a JSON object cannot have triple
    /// keys).
    #[serde(with = "holding_list")]
    pub(super) holdings: BTreeMap<Key, Holding>,
    pub(super) commissions: BTreeMap<u64, Commission>,
    pub(super) last_serial: u64,
}

/// Holdings as a list of `{holder, source, resource, limit, usage_min,
/// usage_max}`.
mod holding_list {
    use super::*;
    use serde::{Deserializer, Serializer};

    /// One holding and its key.
    #[derive(Serialize, Deserialize)]
    struct Entry {
        holder: String,
        source: Option<String>,
        resource: String,
        limit: u64,
        usage_min: u64,
        usage_max: u64,
    }

    pub(super) fn serialize<S: Serializer>(
        holdings: &BTreeMap<Key, Holding>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(
            holdings
                .iter()
                .map(|((holder, source, resource), h)| Entry {
                    holder: holder.clone(),
                    source: source.clone(),
                    resource: resource.clone(),
                    limit: h.limit,
                    usage_min: h.usage_min,
                    usage_max: h.usage_max,
                }),
        )
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<BTreeMap<Key, Holding>, D::Error> {
        let list = Vec::<Entry>::deserialize(deserializer)?;
        Ok(list
            .into_iter()
            .map(|e| {
                let holding = Holding {
                    limit: e.limit,
                    usage_min: e.usage_min,
                    usage_max: e.usage_max,
                };
                ((e.holder, e.source, e.resource), holding)
            })
            .collect())
    }
}

/// The client key of allocations the emulator's own services make.
pub(super) const SERVICES_CLIENT: &str = "emulator-services";

impl Book {
    pub(super) fn holding(&self, key: &Key) -> Option<Holding> {
        self.holdings.get(key).copied()
    }

    /// Makes the holdings of a user's system project that are missing.
    pub(super) fn ensure_system(&mut self, uuid: &str) {
        let project = project_ref(uuid);
        let user = user_ref(uuid);
        for r in RESOURCES {
            for key in [
                (user.clone(), Some(project.clone()), r.name.to_string()),
                (project.clone(), None, r.name.to_string()),
            ] {
                self.holdings.entry(key).or_insert(Holding {
                    limit: r.default_limit,
                    ..Holding::default()
                });
            }
        }
    }

    /// Prepares every provision (imports raise `usage_max`, releases lower
    /// `usage_min`); all or nothing.
    pub(super) fn prepare(
        &mut self,
        provisions: &[Provision],
        force: bool,
    ) -> Result<(), Box<CommissionError>> {
        let before = self.holdings.clone();
        for p in provisions {
            let key = p.key();
            let Some(h) = self.holdings.get_mut(&key) else {
                self.holdings = before;
                return Err(Box::new(CommissionError {
                    kind: CommissionErrorKind::NoHolding,
                    message: format!(
                        "There is no such holding ({:?}, {:?}, {:?})",
                        p.holder, p.source, p.resource
                    ),
                    provision: p.clone(),
                    limit: None,
                    usage: None,
                }));
            };
            let quantity = p.quantity.unsigned_abs();
            if p.quantity >= 0 {
                let new_max = h.usage_max.saturating_add(quantity);
                if !force && new_max > h.limit {
                    let error = CommissionError {
                        kind: CommissionErrorKind::NoCapacity,
                        message: format!("{} has not enough capacity of {}.", p.holder, p.resource),
                        provision: p.clone(),
                        limit: Some(h.limit),
                        usage: Some(h.usage_max),
                    };
                    self.holdings = before;
                    return Err(Box::new(error));
                }
                h.usage_max = new_max;
            } else {
                if !force && h.usage_min < quantity {
                    let error = CommissionError {
                        kind: CommissionErrorKind::NoQuantity,
                        message: format!(
                            "{} attempts to release more {} than it contains.",
                            p.holder, p.resource
                        ),
                        provision: p.clone(),
                        limit: Some(0),
                        usage: Some(h.usage_min),
                    };
                    self.holdings = before;
                    return Err(Box::new(error));
                }
                h.usage_min = h.usage_min.saturating_sub(quantity);
            }
        }
        Ok(())
    }

    /// Accepts (`finalize`) or rejects (`undo`) prepared provisions.
    pub(super) fn resolve(&mut self, provisions: &[Provision], accept: bool) {
        for p in provisions {
            let Some(h) = self.holdings.get_mut(&p.key()) else {
                continue;
            };
            let quantity = p.quantity.unsigned_abs();
            match (p.quantity >= 0, accept) {
                (true, true) => h.usage_min = h.usage_min.saturating_add(quantity),
                (true, false) => h.usage_max = h.usage_max.saturating_sub(quantity),
                (false, true) => h.usage_max = h.usage_max.saturating_sub(quantity),
                (false, false) => h.usage_min = h.usage_min.saturating_add(quantity),
            }
            h.usage_min = h.usage_min.min(h.usage_max);
        }
    }

    pub(super) fn entry(&self, user: &str, project: &str, resource: &str) -> Option<QuotaEntry> {
        let mine = self.holding(&(
            user_ref(user),
            Some(project_ref(project)),
            resource.to_string(),
        ))?;
        let whole = self
            .holding(&(project_ref(project), None, resource.to_string()))
            .unwrap_or_default();
        Some(QuotaEntry {
            limit: mine.limit,
            usage: mine.usage_max,
            pending: mine.usage_max - mine.usage_min,
            project_limit: whole.limit,
            project_usage: whole.usage_max,
            project_pending: whole.usage_max - whole.usage_min,
        })
    }
}

/// Merges provisions of the same holding, as the quotaholder does.
pub(super) fn merge(provisions: Vec<Provision>) -> Vec<Provision> {
    let mut merged: Vec<Provision> = Vec::new();
    for p in provisions {
        match merged.iter_mut().find(|m| m.key() == p.key()) {
            Some(m) => m.quantity = m.quantity.saturating_add(p.quantity),
            None => merged.push(p),
        }
    }
    merged
}

/// The provisions that charge `user` in `project`: the member's holding
/// and the project's, for each `(resource, quantity)`.
pub fn member_provisions(user: &str, project: &str, deltas: &[(&str, i64)]) -> Vec<Provision> {
    let mut out = Vec::new();
    for (resource, delta) in deltas {
        if *delta == 0 {
            continue;
        }
        out.push(Provision {
            holder: user_ref(user),
            source: Some(project_ref(project)),
            resource: resource.to_string(),
            quantity: *delta,
        });
        out.push(Provision {
            holder: project_ref(project),
            source: None,
            resource: resource.to_string(),
            quantity: *delta,
        });
    }
    out
}
