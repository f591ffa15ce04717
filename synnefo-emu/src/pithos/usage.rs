//! What the current objects of a container add up to (count, bytes, user
//! metadata keys), kept up to date by [`super::model::Container`] as
//! versions come and go, so that no request counts every object.

use std::collections::BTreeMap;

use super::model::Version;

/// What the current objects of a container add up to.
#[derive(Clone, Debug, Default)]
pub(super) struct Usage {
    pub(super) count: u64,
    pub(super) bytes: u64,
    /// How many current objects have each `X-Object-Meta-` key (the key
    /// without that prefix).
    pub(super) meta_keys: BTreeMap<String, u64>,
}

/// The user metadata keys of a version, without `X-Object-Meta-`.
pub(super) fn meta_keys(version: &Version) -> Vec<String> {
    version
        .meta
        .keys()
        .filter_map(|k| k.strip_prefix("X-Object-Meta-"))
        .map(str::to_string)
        .collect()
}

impl Usage {
    pub(super) fn add(&mut self, size: u64, keys: &[String]) {
        self.count += 1;
        self.bytes += size;
        for key in keys {
            *self.meta_keys.entry(key.clone()).or_default() += 1;
        }
    }

    pub(super) fn remove(&mut self, size: u64, keys: &[String]) {
        self.count = self.count.saturating_sub(1);
        self.bytes = self.bytes.saturating_sub(size);
        for key in keys {
            if let Some(n) = self.meta_keys.get_mut(key) {
                *n -= 1;
                if *n == 0 {
                    self.meta_keys.remove(key);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::super::interner::Content;
    use super::super::model::{Model, NewData, ObjectNode, Versioning};

    fn data(size: u64) -> Option<NewData> {
        Some(NewData {
            size,
            content: Content::of(&[[size as u8; 32]]),
            content_type: Some("text/plain".into()),
            checksum: None,
            is_snapshot: false,
        })
    }

    /// The usage counted from scratch.
    fn counted(model: &Model) -> (u64, u64) {
        let c = model.container("u", "c").unwrap();
        c.objects
            .values()
            .filter_map(ObjectNode::current)
            .fold((0, 0), |(n, b), v| (n + 1, b + v.size))
    }

    #[test]
    fn usage_follows_every_change_without_a_recount() {
        let mut model = Model::with_container_c_of_u();
        let usage = |m: &Model| m.container("u", "c").unwrap().usage();
        assert_eq!(usage(&model), (0, 0));
        let put = |m: &mut Model, name: &str, size: u64| {
            m.put_version("u", "u", "c", name, data(size), None, true, BTreeMap::new());
        };
        put(&mut model, "a", 10);
        put(&mut model, "b", 5);
        assert_eq!(usage(&model), (2, 15));
        put(&mut model, "a", 30);
        assert_eq!(usage(&model), (2, 35));
        let meta = BTreeMap::from([("X-Object-Meta-Color".to_string(), "red".to_string())]);
        model.put_version("u", "u", "c", "b", None, None, true, meta);
        let keys = |m: &Model| m.container("u", "c").unwrap().object_meta_keys().join(",");
        assert_eq!(keys(&model), "Color");
        model.delete_current("u", "u", "c", "b");
        assert_eq!(usage(&model), (1, 30));
        assert_eq!(keys(&model), "", "no current object has it");
        assert_eq!(usage(&model), counted(&model));
        model.container_mut("u", "c").unwrap().versioning = Versioning::None;
        put(&mut model, "a", 7);
        put(&mut model, "b", 1);
        assert_eq!(usage(&model), (2, 8));
        assert_eq!(usage(&model), counted(&model));
        let later = model.now() + 1.0;
        model.purge_object("u", "c", "a", later);
        assert_eq!(usage(&model), (1, 1));
        model.purge_history("u", "c", later);
        assert_eq!(usage(&model), counted(&model));
    }
}
