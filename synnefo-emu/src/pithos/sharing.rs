//! Access control between users, as Synnefo's backend enforces it.
//!
//! Permissions (`X-Object-Sharing`) are set on object paths and inherited
//! by everything under a *directory* object (content type
//! `application/directory` or `application/folder`); the closest one wins.
//! Members are user uuids, `owner:group` (a group of the owner's account),
//! or `*`. A user sees another account, container or object only through
//! such a permission; anything else is 403, even what does not exist.

use std::collections::BTreeSet;

use super::model::{object_path, Model, Sharing};
use crate::errors::ApiError;

/// What a user may do with an object of another account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Allowed {
    /// Read it.
    Read,
    /// Read and write it.
    Write,
}

impl Allowed {
    /// Its name in `X-Object-Allowed-To`.
    pub fn as_str(self) -> &'static str {
        match self {
            Allowed::Read => "read",
            Allowed::Write => "write",
        }
    }
}

/// The permissions governing an object, for its reply headers.
#[derive(Clone, Debug)]
pub struct ObjectPermissions {
    /// What the requesting user may do.
    pub allowed: Allowed,
    /// The path the permissions are set on (`account/container/name`).
    pub path: Option<String>,
    /// The permissions (empty if none).
    pub sharing: Sharing,
}

fn forbidden(message: &str) -> ApiError {
    ApiError::forbidden(message)
}

impl Model {
    /// The `owner:group` names `member` belongs to.
    pub fn groups_of(&self, member: &str) -> Vec<String> {
        let mut out = Vec::new();
        for (owner, account) in &self.accounts {
            for (name, members) in &account.groups {
                if members.iter().any(|m| m == member) {
                    out.push(format!("{owner}:{name}"));
                }
            }
        }
        out
    }

    fn listed(&self, members: &[String], member: &str, groups: &[String]) -> bool {
        members
            .iter()
            .any(|m| m == member || m == "*" || groups.contains(m))
    }

    /// Whether `member` may read (`write == false`) or write a path with
    /// permissions set on it.
    pub fn access_check(&self, path: &str, write: bool, member: &str) -> bool {
        let Some(sharing) = self.sharing.get(path) else {
            return false;
        };
        let groups = self.groups_of(member);
        let list = if write { &sharing.write } else { &sharing.read };
        self.listed(list, member, &groups)
    }

    /// Whether a path is granted to `member` at all.
    fn granted(&self, sharing: &Sharing, member: &str, groups: &[String]) -> bool {
        self.listed(&sharing.read, member, groups) || self.listed(&sharing.write, member, groups)
    }

    /// The path whose permissions govern `account/container/name`: the
    /// object's own, or the closest directory object above it with some.
    pub fn permissions_path(&self, account: &str, container: &str, name: &str) -> Option<String> {
        let mut candidates: Vec<String> = Vec::new();
        for (i, _) in name.match_indices('/') {
            candidates.push(name[..i].to_string());
            candidates.push(name[..=i].to_string());
        }
        let trimmed = name.trim_end_matches('/');
        if !trimmed.is_empty() && trimmed != name {
            candidates.push(trimmed.to_string());
        }
        candidates.push(name.to_string());
        candidates.sort();
        candidates.dedup();
        let cont = self.container(account, container);
        for candidate in candidates.iter().rev() {
            let path = object_path(account, container, candidate);
            if !self.sharing.contains_key(&path) {
                continue;
            }
            if candidate == name {
                return Some(path);
            }
            let is_dir = cont
                .and_then(|c| c.current(candidate))
                .is_some_and(|v| v.is_directory());
            if is_dir {
                return Some(path);
            }
        }
        None
    }

    /// Read access to an object (its owner, a public object, or shared).
    pub fn can_read_object(
        &self,
        user: &str,
        account: &str,
        container: &str,
        name: &str,
    ) -> Result<(), ApiError> {
        if user == account {
            return Ok(());
        }
        if self
            .public
            .contains_key(&object_path(account, container, name))
        {
            return Ok(());
        }
        let path = self
            .permissions_path(account, container, name)
            .ok_or_else(|| forbidden("User does not have access to the object"))?;
        if self.access_check(&path, false, user) || self.access_check(&path, true, user) {
            Ok(())
        } else {
            Err(forbidden("User does not have read access to the object"))
        }
    }

    /// Write access to an object (its owner, or shared for writing).
    pub fn can_write_object(
        &self,
        user: &str,
        account: &str,
        container: &str,
        name: &str,
    ) -> Result<(), ApiError> {
        if user == account {
            return Ok(());
        }
        let path = self
            .permissions_path(account, container, name)
            .ok_or_else(|| forbidden("User does not have access to the object"))?;
        if self.access_check(&path, true, user) {
            Ok(())
        } else {
            Err(forbidden("User does not have write access to the object"))
        }
    }

    /// The permissions of an object as its reply headers report them; 403
    /// for a user of another account who is not granted it.
    pub fn object_permissions(
        &self,
        user: &str,
        account: &str,
        container: &str,
        name: &str,
    ) -> Result<ObjectPermissions, ApiError> {
        let path = self.permissions_path(account, container, name);
        let mut allowed = Allowed::Write;
        if user != account {
            let p = path.as_deref().unwrap_or("");
            if self.access_check(p, true, user) {
                allowed = Allowed::Write;
            } else if self.access_check(p, false, user) {
                allowed = Allowed::Read;
            } else {
                return Err(forbidden("User does not have access to the path"));
            }
        }
        let sharing = path
            .as_ref()
            .and_then(|p| self.sharing.get(p))
            .cloned()
            .unwrap_or_default();
        Ok(ObjectPermissions {
            allowed,
            path,
            sharing,
        })
    }

    /// The paths granted to `member`, under `prefix` (a path) if given.
    pub fn granted_paths(&self, member: &str, prefix: Option<&str>) -> Vec<String> {
        let groups = self.groups_of(member);
        self.sharing
            .iter()
            .filter(|(path, _)| match prefix {
                Some(p) => path.starts_with(p) || p.starts_with(path.as_str()),
                None => true,
            })
            .filter(|(_, sharing)| self.granted(sharing, member, &groups))
            .map(|(path, _)| path.clone())
            .collect()
    }

    /// The accounts that share something with `user`.
    pub fn allowed_accounts(&self, user: &str) -> BTreeSet<String> {
        self.granted_paths(user, None)
            .iter()
            .filter_map(|p| p.split('/').next())
            .map(str::to_string)
            .collect()
    }

    /// The containers of `account` that share something with `user`.
    pub fn allowed_containers(&self, user: &str, account: &str) -> BTreeSet<String> {
        let prefix = format!("{account}/");
        self.granted_paths(user, Some(&prefix))
            .iter()
            .filter_map(|p| p.strip_prefix(&prefix))
            .filter_map(|rest| rest.split('/').next())
            .map(str::to_string)
            .collect()
    }

    /// Read access to an account.
    pub fn can_read_account(&self, user: &str, account: &str) -> Result<(), ApiError> {
        if user == account || self.allowed_accounts(user).contains(account) {
            Ok(())
        } else {
            Err(forbidden("User does not have read access to the account"))
        }
    }

    /// Write access to an account (its owner only).
    pub fn can_write_account(&self, user: &str, account: &str) -> Result<(), ApiError> {
        if user == account {
            Ok(())
        } else {
            Err(forbidden("User does not have write access to the account"))
        }
    }

    /// Read access to a container.
    pub fn can_read_container(
        &self,
        user: &str,
        account: &str,
        container: &str,
    ) -> Result<(), ApiError> {
        if user == account || self.allowed_containers(user, account).contains(container) {
            Ok(())
        } else {
            Err(forbidden("User does not have read access to the container"))
        }
    }

    /// Write access to a container (its owner only).
    pub fn can_write_container(&self, user: &str, account: &str) -> Result<(), ApiError> {
        if user == account {
            Ok(())
        } else {
            Err(forbidden(
                "User does not have write access to the container",
            ))
        }
    }

    /// The names (exact) and directory prefixes a listing of
    /// `account/container` is limited to, from a list of granted or shared
    /// paths.
    pub fn listing_filter(
        &self,
        account: &str,
        container: &str,
        paths: &[String],
    ) -> (BTreeSet<String>, Vec<String>) {
        let prefix = format!("{account}/{container}/");
        let cont = self.container(account, container);
        let mut exact = BTreeSet::new();
        let mut dirs = Vec::new();
        for path in paths {
            let Some(name) = path.strip_prefix(&prefix) else {
                continue;
            };
            if cont
                .and_then(|c| c.current(name))
                .is_some_and(|v| v.is_directory())
            {
                dirs.push(format!("{}/", name.trim_end_matches('/')));
            }
            exact.insert(name.to_string());
        }
        (exact, dirs)
    }
}
