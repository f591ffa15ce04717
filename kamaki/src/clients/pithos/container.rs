//! Container-level calls: create, information, policy, metadata, listing,
//! delete and purge.

use std::collections::BTreeMap;
use std::time::{SystemTime, UNIX_EPOCH};

use futures_util::stream::{self, Stream, TryStreamExt};

use super::models::Format;
use super::paging::{page_size, Markers};
use super::rest_api::{ContainerDelete, ContainerGet, ContainerHead, ContainerPost, ContainerPut};
use super::PithosClient;
use crate::clients::storage::{
    filter_in, headers_of, http_error, json_list, Headers, ListedObject,
};
use crate::clients::Result;

impl PithosClient {
    /// Creates `container` (or the client's) with these policies and
    /// metadata; a container that exists already is updated (no error).
    pub async fn create_container(
        &self,
        container: Option<&str>,
        options: &ContainerPut,
    ) -> Result<Headers> {
        let reply = self
            .container_put_request(container, options)?
            .send()
            .await?;
        Ok(headers_of(&reply))
    }

    /// Deletes `container` (or the client's), empty, with its whole
    /// history: `DELETE ?until=<now>` purges the history (Synnefo reads
    /// `until` as whole seconds; kamaki's fractional value is ignored by it),
    /// then `DELETE` removes the container. A container that still holds
    /// objects is a 409 error.
    pub async fn purge_container(&self, container: Option<&str>) -> Result<Headers> {
        let target = self.for_container(container);
        let name = target.container_name()?.to_string();
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs() + 1)
            .unwrap_or_default();
        target
            .container_delete(&ContainerDelete {
                until: Some(now.to_string()),
                delimiter: None,
            })
            .await?;
        let reply = target
            .container_delete_request(&ContainerDelete::default())?
            .success(&[204, 409])
            .send()
            .await?;
        if reply.status() == 409 {
            return Err(http_error(
                409,
                format!("Container \"{name}\" is not empty"),
            ));
        }
        Ok(headers_of(&reply))
    }

    /// Deletes the client's container; with `delimiter` `/` its objects are
    /// deleted first (server side), with `until` only its history up to then.
    /// A missing container is a 404 error, a non-empty one a 409.
    pub async fn del_container(
        &self,
        until: Option<&str>,
        delimiter: Option<&str>,
    ) -> Result<Headers> {
        let container = self.container_name()?.to_string();
        let reply = self
            .container_delete_request(&ContainerDelete {
                until: until.map(String::from),
                delimiter: delimiter.map(String::from),
            })?
            .success(&[204, 404, 409])
            .send()
            .await?;
        match reply.status() {
            404 => Err(http_error(
                404,
                format!("Container \"{container}\" does not exist"),
            )),
            409 => Err(http_error(
                409,
                format!("Container \"{container}\" is not empty"),
            )),
            _ => Ok(headers_of(&reply)),
        }
    }

    /// `HEAD` of `container` (or the client's), as of `until` if given:
    /// block size and hash, bytes used, object count, policy, metadata.
    pub async fn get_container_info(
        &self,
        container: Option<&str>,
        until: Option<&str>,
    ) -> Result<Headers> {
        let target = self.for_container(container);
        let name = target.container_name()?.to_string();
        let reply = target
            .container_head(&ContainerHead {
                until: until.map(String::from),
                ..ContainerHead::default()
            })
            .await
            .map_err(|e| match e {
                crate::clients::ClientError::Http {
                    status,
                    reason,
                    kind,
                    message,
                    mut details,
                    request,
                } => {
                    details.push(format!("for container {name}"));
                    crate::clients::ClientError::Http {
                        status,
                        reason,
                        kind,
                        message,
                        details,
                        request,
                    }
                }
                other => other,
            })?;
        Ok(headers_of(&reply))
    }

    /// The container's `x-container-policy-versioning`.
    pub async fn get_container_versioning(&self, container: Option<&str>) -> Result<Headers> {
        let info = self.get_container_info(container, None).await?;
        Ok(filter_in(&info, "x-container-policy-versioning", true))
    }

    /// The container's `x-container-policy-quota`.
    pub async fn get_container_limit(&self, container: Option<&str>) -> Result<Headers> {
        let info = self.get_container_info(container, None).await?;
        Ok(filter_in(&info, "x-container-policy-quota", true))
    }

    /// The container's `x-container-meta-*` headers.
    pub async fn get_container_meta(&self, until: Option<&str>) -> Result<Headers> {
        Ok(filter_in(
            &self.get_container_info(None, until).await?,
            "x-container-meta-",
            false,
        ))
    }

    /// The container's `x-container-object-meta` header.
    pub async fn get_container_object_meta(&self, until: Option<&str>) -> Result<Headers> {
        Ok(filter_in(
            &self.get_container_info(None, until).await?,
            "x-container-object-meta",
            false,
        ))
    }

    async fn container_update(&self, options: ContainerPost) -> Result<Headers> {
        Ok(headers_of(&self.container_post(&options).await?))
    }

    /// Sets these metadata pairs on the container (others are kept).
    pub async fn set_container_meta(&self, pairs: &BTreeMap<String, String>) -> Result<Headers> {
        self.container_update(ContainerPost {
            metadata: pairs.clone(),
            ..ContainerPost::default()
        })
        .await
    }

    /// Deletes one metadata key of the container.
    pub async fn del_container_meta(&self, key: &str) -> Result<Headers> {
        let mut metadata = BTreeMap::new();
        metadata.insert(key.to_string(), String::new());
        self.container_update(ContainerPost {
            metadata,
            ..ContainerPost::default()
        })
        .await
    }

    /// Sets the container's size limit in bytes (0: none).
    pub async fn set_container_limit(&self, limit: u64) -> Result<Headers> {
        self.container_update(ContainerPost {
            quota: Some(limit),
            ..ContainerPost::default()
        })
        .await
    }

    /// Sets the container's versioning: `auto` or `none`.
    pub async fn set_container_versioning(&self, versioning: &str) -> Result<Headers> {
        self.container_update(ContainerPost {
            versioning: Some(versioning.to_string()),
            ..ContainerPost::default()
        })
        .await
    }

    /// Moves the container (its bytes) to the quota of another project.
    pub async fn reassign_container(&self, project_id: &str) -> Result<Headers> {
        self.container_update(ContainerPost {
            project_id: Some(project_id.to_string()),
            ..ContainerPost::default()
        })
        .await
    }

    /// One page of the container's objects with every filter of
    /// [`ContainerGet`] (the JSON format is used whatever `format` says).
    pub async fn list_container_objects(
        &self,
        options: &ContainerGet,
    ) -> Result<Vec<ListedObject>> {
        let options = ContainerGet {
            format: Format::Json,
            ..options.clone()
        };
        let reply = self
            .container_get_request(&options)?
            .success(&[200, 204, 304])
            .send()
            .await?;
        json_list(&reply)
    }

    /// One page of object names (the plain-text listing).
    pub async fn list_object_names(&self, options: &ContainerGet) -> Result<Vec<String>> {
        let options = ContainerGet {
            format: Format::Text,
            ..options.clone()
        };
        let reply = self
            .container_get_request(&options)?
            .success(&[200, 204, 304])
            .send()
            .await?;
        Ok(reply
            .text()
            .lines()
            .filter(|line| !line.is_empty())
            .map(String::from)
            .collect())
    }

    /// Every object matching `options`, page after page (`limit` is the
    /// page size, 10000 when not given; `marker` where to start), as a
    /// stream.
    pub fn list_objects_stream(
        &self,
        options: &ContainerGet,
    ) -> impl Stream<Item = Result<ListedObject>> + Send + 'static {
        let client = self.clone();
        let page = page_size(options.limit);
        let first = ContainerGet {
            limit: Some(page),
            ..options.clone()
        };
        let markers = Markers::starting_at(options.marker.as_deref());
        stream::try_unfold((Some(first), markers), move |(next, mut markers)| {
            let client = client.clone();
            async move {
                let Some(options) = next else {
                    return Ok::<_, crate::clients::ClientError>(None);
                };
                let items = client.list_container_objects(&options).await?;
                let next = markers
                    .next(
                        items.len(),
                        page,
                        items.last().map(ListedObject::name),
                        client.endpoint_url(),
                    )?
                    .map(|marker| ContainerGet {
                        marker: Some(marker),
                        ..options
                    });
                Ok(Some((
                    stream::iter(items.into_iter().map(Ok)),
                    (next, markers),
                )))
            }
        })
        .try_flatten()
    }

    /// Every object matching `options`, all pages collected.
    pub async fn list_all_objects(&self, options: &ContainerGet) -> Result<Vec<ListedObject>> {
        self.list_objects_stream(options).try_collect().await
    }
}
