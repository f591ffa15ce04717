//! Images as the compute API shows them, and their metadata.

use serde_json::json;

use super::fields::{meta_item, metadata, segment, unwrap, Metadata};
use super::{ComputeClient, Image, ListImagesOptions};
use crate::clients::Result;

impl ComputeClient {
    /// Lists the images the user may use (`GET /images`, or
    /// `/images/detail` for status, metadata...). A 304 to
    /// `changes_since` gives an empty list.
    pub async fn list_images(
        &self,
        detail: bool,
        options: &ListImagesOptions,
    ) -> Result<Vec<Image>> {
        let path = if detail { "images/detail" } else { "images" };
        let reply = self
            .get(path)
            .query_opt("changes-since", options.changes_since.as_deref())
            .query_opt("name", options.name.as_deref())
            .query_opt("status", options.status.as_deref())
            .query_opt("marker", options.marker.as_deref())
            .query_opt("limit", options.limit)
            .query_opt("type", options.image_type.as_deref())
            .query_opt("server", options.server_name.as_deref())
            .success(&[200, 304])
            .send()
            .await?;
        if reply.status() == 304 {
            return Ok(Vec::new());
        }
        unwrap(&reply, "images")
    }

    /// The details of an image (`GET /images/<id>`).
    pub async fn get_image_details(&self, image_id: &str) -> Result<Image> {
        let path = format!("images/{}", segment("image id", image_id)?);
        unwrap(&self.get(&path).send().await?, "image")
    }

    /// Deletes an image (`DELETE /images/<id>`, 204).
    pub async fn delete_image(&self, image_id: &str) -> Result<()> {
        let path = format!("images/{}", segment("image id", image_id)?);
        self.delete(&path).success(&[204]).send().await?;
        Ok(())
    }

    /// An image's metadata (`GET /images/<id>/metadata`), or only the item
    /// `key` (`GET /images/<id>/metadata/<key>`).
    pub async fn get_image_metadata(&self, image_id: &str, key: Option<&str>) -> Result<Metadata> {
        let image_id = segment("image id", image_id)?;
        match key {
            Some(key) => {
                let path = format!("images/{image_id}/metadata/{}", segment("key", key)?);
                meta_item(&self.get(&path).send().await?)
            }
            None => metadata(
                &self
                    .get(&format!("images/{image_id}/metadata"))
                    .send()
                    .await?,
            ),
        }
    }

    /// Sets one metadata item of an image (`PUT
    /// /images/<id>/metadata/<key>`, 201) and returns it (commented out in
    /// Python kamaki, whose REST call dropped the key).
    pub async fn create_image_metadata(
        &self,
        image_id: &str,
        key: &str,
        value: &str,
    ) -> Result<Metadata> {
        let path = format!(
            "images/{}/metadata/{}",
            segment("image id", image_id)?,
            segment("key", key)?
        );
        let reply = self
            .put(&path)
            .json(&json!({"meta": {key: value}}))
            .success(&[201])
            .send()
            .await?;
        meta_item(&reply)
    }

    /// Adds or changes metadata items of an image (`POST
    /// /images/<id>/metadata`, 201) and returns all its metadata.
    pub async fn update_image_metadata(
        &self,
        image_id: &str,
        metadata_items: &Metadata,
    ) -> Result<Metadata> {
        let path = format!("images/{}/metadata", segment("image id", image_id)?);
        let reply = self
            .post(&path)
            .json(&json!({"metadata": metadata_items}))
            .success(&[201])
            .send()
            .await?;
        metadata(&reply)
    }

    /// Deletes a metadata item of an image (`DELETE
    /// /images/<id>/metadata/<key>`, 204).
    pub async fn delete_image_metadata(&self, image_id: &str, key: &str) -> Result<()> {
        let path = format!(
            "images/{}/metadata/{}",
            segment("image id", image_id)?,
            segment("key", key)?
        );
        self.delete(&path).success(&[204]).send().await?;
        Ok(())
    }
}
