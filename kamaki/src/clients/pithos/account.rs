//! Account-level calls: information, metadata, groups, quota, containers,
//! accounts sharing with the user.

use std::collections::BTreeMap;

use super::models::{Format, SharingAccount};
use super::paging::{page_size, Markers};
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

    /// Every container matching `options`, page after page (`limit` is the
    /// page size, 10000 when not given; `marker` where to start). A 304
    /// (`if_modified_since` not met) lists nothing.
    pub async fn list_all_containers(&self, options: &AccountGet) -> Result<Vec<ContainerListing>> {
        let page = page_size(options.limit);
        let mut markers = Markers::starting_at(options.marker.as_deref());
        let mut request = AccountGet {
            limit: Some(page),
            format: Format::Json,
            ..options.clone()
        };
        let mut all = Vec::new();
        loop {
            let reply = self
                .account_get_request(&request)?
                .success(&[200, 204, 304])
                .send()
                .await?;
            let items: Vec<ContainerListing> = json_list(&reply)?;
            let next = markers.next(
                items.len(),
                page,
                items.last().map(|c| c.name.as_str()),
                self.endpoint_url(),
            )?;
            all.extend(items);
            match next {
                Some(marker) => request.marker = Some(marker),
                None => return Ok(all),
            }
        }
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
