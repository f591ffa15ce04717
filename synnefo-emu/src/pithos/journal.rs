//! What changed in the Pithos namespace since the data dir last saw it.
//!
//! With a data dir, the [`super::model::Model`] notes every account,
//! container, object and path whose state a request changed; after the
//! request, the emulator writes exactly those to the database in one
//! transaction ([`super::persist`]) before the reply goes out. Without a
//! data dir nothing is noted.

use std::collections::BTreeSet;

/// The keys of what changed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Journal {
    /// Accounts (by uuid) whose metadata, groups, times or set of
    /// containers changed.
    pub accounts: BTreeSet<String>,
    /// Containers (account, container) whose metadata, policy or times
    /// changed.
    pub containers: BTreeSet<(String, String)>,
    /// Containers (account, container) whose times alone changed (and so
    /// their account's).
    pub container_times: BTreeSet<(String, String)>,
    /// Objects (account, container, name) with a new, changed or purged
    /// version.
    pub objects: BTreeSet<(String, String, String)>,
    /// Containers all of whose objects may have changed (a purge of their
    /// history).
    pub all_objects: BTreeSet<(String, String)>,
    /// Paths whose permissions or public id changed.
    pub paths: BTreeSet<String>,
}

impl Journal {
    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.accounts.is_empty()
            && self.containers.is_empty()
            && self.container_times.is_empty()
            && self.objects.is_empty()
            && self.all_objects.is_empty()
            && self.paths.is_empty()
    }

    /// Adds what `other` noted (changes a failed write must retry).
    pub fn merge(&mut self, other: Journal) {
        self.accounts.extend(other.accounts);
        self.containers.extend(other.containers);
        self.container_times.extend(other.container_times);
        self.objects.extend(other.objects);
        self.all_objects.extend(other.all_objects);
        self.paths.extend(other.paths);
    }
}

#[cfg(test)]
mod tests {
    use super::super::model::Model;

    #[test]
    fn reading_an_existing_account_notes_nothing_and_making_one_does() {
        let mut model = Model::default();
        model.keep_journal();
        model.ensure_account("u");
        assert!(model.take_journal().accounts.contains("u"));
        model.ensure_account("u");
        assert!(!model.has_changes(), "an account read is not written again");
        model.account_mut("u");
        assert!(model.has_changes(), "a change is");
    }
}
