//! Pithos as the emulator's other services write it. In Synnefo, Cyclades
//! and Plankton call the Pithos backend directly rather than its HTTP API
//! (a volume snapshot is `register_object_map`, its deletion
//! `delete_by_uuid`); these are the emulator's counterparts.
//!
//! They go through the same steps as the API's `PUT` and `DELETE`
//! ([`super::object`]'s `commit` and `delete_object`): the owner's write
//! permission, the container's quota policy, and `pithos.diskspace` of the
//! container's project in [`Quotas`], charged for the size change or
//! released. A write that fails leaves nothing behind, not even the
//! container it would have created.
//!
//! Lock order: a caller may hold the Cyclades locks
//! ([`crate::cyclades::Cloud`]); these take the Pithos namespace, then the
//! quotas, and release both before returning. Pithos never takes a
//! Cyclades or Image registry lock.

use std::collections::BTreeMap;

use bytes::Bytes;

use super::container::no_container;
use super::hashing::{empty_hash, Hash, BLOCK_SIZE};
use super::model::{Container, NewData};
use super::object::{commit, delete_object, At, Commit};
use super::{ObjectSummary, PithosState};
use crate::errors::ApiError;
use crate::quotas::Quotas;

/// The largest object of zeros a service may write (16 TiB: a hashmap of
/// four million entries, 128 MiB).
pub const MAX_ZEROS: u64 = 16 << 40;

/// What an object written by a service holds.
#[derive(Clone, Debug)]
pub enum Content {
    /// This many zero bytes: every block is the all-zero block, which the
    /// store never keeps, so even a large object costs only its hashmap
    /// (a blank disk, the data of a snapshot).
    Zeros(u64),
    /// These bytes, stored block by block.
    Bytes(Bytes),
}

/// An object a service creates or replaces.
#[derive(Clone, Debug)]
pub struct ObjectWrite<'a> {
    /// The account (a user uuid); the write is made as this user.
    pub account: &'a str,
    /// The container, created (charged to the account's own project) if
    /// missing, as `register_object_map` does.
    pub container: &'a str,
    /// The object name.
    pub name: &'a str,
    /// The data.
    pub content: Content,
    /// The content type.
    pub content_type: &'a str,
    /// User-defined metadata, full header names (`X-Object-Meta-Kind`);
    /// they replace the previous version's.
    pub meta: BTreeMap<String, String>,
    /// Whether the data is a volume snapshot's: the API then refuses to
    /// write other data over it (`403`), as Synnefo does.
    pub is_snapshot: bool,
}

impl PithosState {
    /// Creates `account/container/name`, or makes a new version of it
    /// (which keeps the object's uuid), as its owner; returns the new
    /// current version. Fails with the faults of an upload: `413
    /// overLimit` from the quotas, `413 requestEntityTooLarge` from a
    /// container quota, `403` over a snapshot's data, `400` for a bad
    /// name or too many metadata.
    pub fn put_object(
        &self,
        quotas: &Quotas,
        write: ObjectWrite<'_>,
    ) -> Result<ObjectSummary, ApiError> {
        check_names(write.container, write.name)?;
        let (size, hashes) = match &write.content {
            Content::Zeros(size) => (*size, zero_hashmap(*size)?),
            Content::Bytes(data) => (data.len() as u64, self.store_data(data)?),
        };
        // The blocks on disk before a version refers to them.
        self.store.flush(&hashes)?;
        let at = At {
            account: write.account,
            container: write.container,
            name: write.name,
        };
        let mut model = self.write();
        let had_account = model.accounts.contains_key(write.account);
        let created = model.container(write.account, write.container).is_none();
        if created {
            let now = model.now();
            let account = model.account_mut(write.account);
            account.containers.insert(
                write.container.to_string(),
                Container::new(write.account, now),
            );
            account.modified = now;
        }
        let data = NewData {
            size,
            content: super::interner::Content::of(&hashes),
            content_type: Some(write.content_type.to_string()),
            checksum: Some(String::new()),
            is_snapshot: write.is_snapshot,
        };
        let committed = commit(
            quotas,
            write.account,
            &mut model,
            &at,
            Commit {
                data: Some(data),
                source: None,
                keep_uuid: true,
                meta: &write.meta,
                replace_meta: true,
                permissions: None,
            },
        );
        if let Err(fault) = committed {
            if created {
                if had_account {
                    if let Some(account) = model.accounts.get_mut(write.account) {
                        account.containers.remove(write.container);
                    }
                } else {
                    model.accounts.remove(write.account);
                }
            }
            return Err(fault);
        }
        model
            .container(write.account, write.container)
            .and_then(|c| c.current(write.name))
            .map(ObjectSummary::of)
            .ok_or_else(|| ApiError::internal("The object just written is missing"))
    }

    /// Deletes `account/container/name` as its owner (its history stays,
    /// as a `DELETE` leaves it) and releases its space; the bytes freed.
    /// With `uuid`, only that object (Synnefo's `delete_by_uuid`), not
    /// another one made at the same path since. `404` if there is none.
    pub fn delete_object(
        &self,
        quotas: &Quotas,
        account: &str,
        container: &str,
        name: &str,
        uuid: Option<&str>,
    ) -> Result<u64, ApiError> {
        let mut model = self.write();
        let current = model
            .container(account, container)
            .ok_or_else(no_container)?
            .current(name);
        if let (Some(uuid), Some(current)) = (uuid, current) {
            if current.uuid.to_string() != uuid {
                return Err(ApiError::item_not_found("Object does not exist"));
            }
        }
        let at = At {
            account,
            container,
            name,
        };
        delete_object(quotas, account, &mut model, &at)
    }

    /// Stores data block by block; its hashmap.
    fn store_data(&self, data: &Bytes) -> Result<Vec<Hash>, ApiError> {
        if data.is_empty() {
            return Ok(vec![empty_hash()]);
        }
        (0..data.len())
            .step_by(BLOCK_SIZE)
            .map(|start| {
                let end = (start + BLOCK_SIZE).min(data.len());
                self.store
                    .put(data.slice(start..end))
                    .map_err(super::store::write_failed)
            })
            .collect()
    }
}

/// The names the API accepts (its `400`s otherwise).
fn check_names(container: &str, name: &str) -> Result<(), ApiError> {
    if container.is_empty() || container.contains('/') {
        return Err(ApiError::bad_request("Invalid container name"));
    }
    if container.chars().count() > 256 {
        return Err(ApiError::bad_request("Container name too large"));
    }
    if name.is_empty() {
        return Err(ApiError::bad_request("Invalid object name"));
    }
    if name.chars().count() > 1024 {
        return Err(ApiError::bad_request("Object name too large."));
    }
    Ok(())
}

/// The hashmap of `size` zero bytes: the all-zero block's hash once per
/// block (once for an empty object).
fn zero_hashmap(size: u64) -> Result<Vec<Hash>, ApiError> {
    if size > MAX_ZEROS {
        return Err(ApiError::bad_request(format!(
            "Objects of zeros are limited to {MAX_ZEROS} bytes"
        )));
    }
    let blocks = usize::try_from(size.div_ceil(BLOCK_SIZE as u64))
        .map_err(|_| ApiError::bad_request("Object too large"))?;
    Ok(vec![empty_hash(); blocks.max(1)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zeros_cost_a_hashmap_and_no_block() {
        assert_eq!(zero_hashmap(0).unwrap(), vec![empty_hash()]);
        assert_eq!(zero_hashmap(1).unwrap().len(), 1);
        assert_eq!(zero_hashmap(BLOCK_SIZE as u64 + 1).unwrap().len(), 2);
        assert_eq!(zero_hashmap(20 << 30).unwrap().len(), 5120);
        assert_eq!(zero_hashmap(MAX_ZEROS + 1).unwrap_err().code, 400);
    }

    #[test]
    fn writes_and_deletions_charge_and_release_diskspace() {
        let pithos = PithosState::default();
        let quotas = Quotas::default();
        let usage = || quotas.usage("u", "u", "pithos.diskspace");
        let write = |content: Content| ObjectWrite {
            account: "u",
            container: "c",
            name: "o",
            content,
            content_type: "text/plain",
            meta: BTreeMap::from([("X-Object-Meta-Kind".to_string(), "test".to_string())]),
            is_snapshot: false,
        };
        let first = pithos
            .put_object(&quotas, write(Content::Bytes(Bytes::from_static(b"hello"))))
            .unwrap();
        assert_eq!(first.size, 5);
        assert_eq!(
            first.hash,
            super::super::hashing::to_hex(&super::super::hashing::merkle_of_data(
                b"hello", BLOCK_SIZE
            ))
        );
        assert_eq!(pithos.block_count(), 1);
        assert_eq!(usage(), 5);
        let second = pithos
            .put_object(&quotas, write(Content::Zeros(3 * BLOCK_SIZE as u64)))
            .unwrap();
        assert_eq!(second.uuid, first.uuid, "a new version of the same object");
        assert_eq!(usage(), 3 * BLOCK_SIZE as u64);
        let meta = pithos
            .read()
            .container("u", "c")
            .unwrap()
            .current("o")
            .unwrap()
            .meta
            .clone();
        assert_eq!(
            meta.get("X-Object-Meta-Kind").map(String::as_str),
            Some("test")
        );

        let other = pithos.delete_object(&quotas, "u", "c", "o", Some("another uuid"));
        assert_eq!(other.unwrap_err().code, 404);
        assert_eq!(usage(), 3 * BLOCK_SIZE as u64);
        let freed = pithos.delete_object(&quotas, "u", "c", "o", Some(&first.uuid));
        assert_eq!(freed.unwrap(), 3 * BLOCK_SIZE as u64);
        assert_eq!(usage(), 0);
        let again = pithos.delete_object(&quotas, "u", "c", "o", None);
        assert_eq!(again.unwrap_err().code, 404);
    }

    #[test]
    fn a_refused_write_leaves_no_container() {
        let pithos = PithosState::default();
        let quotas = Quotas::default();
        quotas.set_member_limit("u", "u", "pithos.diskspace", 10);
        let refused = pithos.put_object(
            &quotas,
            ObjectWrite {
                account: "u",
                container: "c",
                name: "o",
                content: Content::Zeros(11),
                content_type: "text/plain",
                meta: BTreeMap::new(),
                is_snapshot: true,
            },
        );
        assert_eq!(refused.unwrap_err().code, 413);
        assert!(!pithos.read().accounts.contains_key("u"));
        assert_eq!(quotas.usage("u", "u", "pithos.diskspace"), 0);
    }

    #[test]
    fn names_are_checked_as_the_api_checks_them() {
        assert!(check_names("snapshots", "a/b c").is_ok());
        assert_eq!(check_names("", "x").unwrap_err().code, 400);
        assert_eq!(check_names("a/b", "x").unwrap_err().code, 400);
        assert_eq!(check_names("c", "").unwrap_err().code, 400);
        assert_eq!(check_names("c", &"x".repeat(1025)).unwrap_err().code, 400);
    }
}
