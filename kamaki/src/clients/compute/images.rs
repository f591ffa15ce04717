//! Images as the compute API shows them, and their metadata.

use serde_json::json;

use super::fields::{meta_item, metadata, unwrap, Metadata};
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
        let reply = self.images_get(None, detail, options).await?;
        if reply.status() == 304 {
            return Ok(Vec::new());
        }
        unwrap(&reply, "images")
    }

    /// The details of an image (`GET /images/<id>`).
    pub async fn get_image_details(&self, image_id: &str) -> Result<Image> {
        let reply = self
            .images_get(Some(image_id), false, &ListImagesOptions::default())
            .await?;
        unwrap(&reply, "image")
    }

    /// Deletes an image (`DELETE /images/<id>`, 204).
    pub async fn delete_image(&self, image_id: &str) -> Result<()> {
        self.images_delete(image_id).await?;
        Ok(())
    }

    /// An image's metadata (`GET /images/<id>/metadata`), or only the item
    /// `key` (`GET /images/<id>/metadata/<key>`).
    pub async fn get_image_metadata(&self, image_id: &str, key: Option<&str>) -> Result<Metadata> {
        let reply = self.images_metadata_get(image_id, key).await?;
        match key {
            Some(_) => meta_item(&reply),
            None => metadata(&reply),
        }
    }

    /// Sets one metadata item of an image (`PUT
    /// /images/<id>/metadata/<key>`, 201) and returns it (commented out in
    /// Python kamaki, whose `images_metadata_put` dropped the key).
    pub async fn create_image_metadata(
        &self,
        image_id: &str,
        key: &str,
        value: &str,
    ) -> Result<Metadata> {
        let item = json!({"meta": {key: value}});
        meta_item(&self.images_metadata_put(image_id, Some(key), &item).await?)
    }

    /// Adds or changes metadata items of an image (`POST
    /// /images/<id>/metadata`, 201) and returns all its metadata.
    pub async fn update_image_metadata(
        &self,
        image_id: &str,
        metadata_items: &Metadata,
    ) -> Result<Metadata> {
        let items = json!({"metadata": metadata_items});
        metadata(&self.images_metadata_post(image_id, &items).await?)
    }

    /// Deletes a metadata item of an image (`DELETE
    /// /images/<id>/metadata/<key>`, 204).
    pub async fn delete_image_metadata(&self, image_id: &str, key: &str) -> Result<()> {
        self.images_metadata_delete(image_id, key).await?;
        Ok(())
    }
}
