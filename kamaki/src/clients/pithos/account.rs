//! Account-level calls: information, metadata, groups, quota, containers,
//! accounts sharing with the user.

use std::collections::BTreeMap;

use super::models::SharingAccount;
use super::rest_api::{AccountGet, AccountHead, AccountPost};
use super::PithosClient;
use crate::clients::storage::{filter_in, headers_of, json_list, ContainerListing, Headers};
use crate::clients::{Method, Result};

impl PithosClient {
    /// `HEAD /<account>` -> the account's headers
    /// (`x-account-bytes-used`, `x-account-container-count`,
    /// `x-account-policy-quota`, `x-account-meta-*`, `x-account-group-*`,
    /// `last-modified`...), as of `until` if given.
    pub async fn get_account_info(&self, until: Option<&str>) -> Result<Headers> {
        let reply = self
            .account_head(&AccountHead {
                until: until.map(String::from),
                ..AccountHead::default()
            })
            .await?;
        Ok(headers_of(&reply))
    }

    /// The account's `x-account-policy-quota` header.
    pub async fn get_account_quota(&self) -> Result<Headers> {
        Ok(filter_in(
            &self.get_account_info(None).await?,
            "x-account-policy-quota",
            true,
        ))
    }

    /// The account's `x-account-meta-*` headers (full names).
    pub async fn get_account_meta(&self, until: Option<&str>) -> Result<Headers> {
        Ok(filter_in(
            &self.get_account_info(until).await?,
            "x-account-meta-",
            false,
        ))
    }

    /// The account's `x-account-group-*` headers (full names; values are
    /// comma-separated user uuids).
    pub async fn get_account_group(&self) -> Result<Headers> {
        Ok(filter_in(
            &self.get_account_info(None).await?,
            "x-account-group-",
            false,
        ))
    }

    /// Sets (or replaces) the group `group` to these users.
    pub async fn set_account_group<S: AsRef<str>>(
        &self,
        group: &str,
        usernames: &[S],
    ) -> Result<Headers> {
        let mut groups = BTreeMap::new();
        groups.insert(
            group.to_string(),
            usernames.iter().map(|u| u.as_ref().to_string()).collect(),
        );
        let reply = self
            .account_post(&AccountPost {
                groups,
                ..AccountPost::default()
            })
            .await?;
        Ok(headers_of(&reply))
    }

    /// Deletes the group `group`.
    pub async fn del_account_group(&self, group: &str) -> Result<()> {
        self.set_account_group::<&str>(group, &[]).await?;
        Ok(())
    }

    /// Sets these metadata pairs on the account (others are kept).
    pub async fn set_account_meta(&self, pairs: &BTreeMap<String, String>) -> Result<Headers> {
        let reply = self
            .account_post(&AccountPost {
                metadata: pairs.clone(),
                ..AccountPost::default()
            })
            .await?;
        Ok(headers_of(&reply))
    }

    /// Deletes one metadata key of the account.
    pub async fn del_account_meta(&self, key: &str) -> Result<Headers> {
        let mut pairs = BTreeMap::new();
        pairs.insert(key.to_string(), String::new());
        self.set_account_meta(&pairs).await
    }

    /// The account's containers (one page of up to 10000).
    pub async fn list_containers(&self) -> Result<Vec<ContainerListing>> {
        let reply = self.account_get(&AccountGet::default()).await?;
        json_list(&reply)
    }

    /// The accounts that share objects with this user (`GET /?format=json`).
    pub async fn get_sharing_accounts(
        &self,
        limit: Option<u32>,
        marker: Option<&str>,
    ) -> Result<Vec<SharingAccount>> {
        self.account_name()?;
        let reply = self
            .at(Method::GET, "/")
            .query("format", "json")
            .query_opt("limit", limit)
            .query_opt("marker", marker)
            .success(&[200, 204])
            .send()
            .await?;
        json_list(&reply)
    }
}
