//! The client of the Synnefo Image registry (Plankton, Glance v1 style):
//! images are files stored in Pithos, registered with a name, formats and
//! free-form properties, public or shared with chosen users.
//!
//! Image metadata travel as `X-Image-Meta-*` headers, properties as
//! `X-Image-Meta-Property-*`; the name and property values are
//! percent-encoded on the way out and decoded on the way in, as Synnefo
//! and kamaki do.
//!
//! ```no_run
//! # async fn f() -> kamaki::clients::Result<()> {
//! use std::collections::BTreeMap;
//! use kamaki::clients::image::{ImageClient, ImageFilter, RegisterParams};
//! let image = ImageClient::new("https://cyclades.example.org/image", "my-token")?;
//! for i in image.list_public(true, &ImageFilter::new(), "name").await? {
//!     println!("{} {}", i.id, i.name);
//! }
//! let location = ImageClient::location("my-uuid", "images", "debian.diskdump");
//! let properties = BTreeMap::from([("OSFAMILY".to_string(), "linux".to_string())]);
//! let meta = image
//!     .register("Debian", &location, &RegisterParams::default(), &properties)
//!     .await?;
//! println!("registered {}", meta.id);
//! # Ok(()) }
//! ```

mod models;

use std::collections::BTreeMap;

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::Deserialize;
use serde_json::json;

pub use models::{
    Image, ImageFilter, ImageMember, ImageMeta, ImageUpdate, RegisterParams, SharedImage,
};

use crate::clients::{service_client, ClientError, RequestBuilder, Result};

service_client!(
    /// Client of the Synnefo Image registry (Plankton).
    ImageClient,
    "image",
    "1.0"
);

/// What Python's `quote` leaves as it is: letters, digits, `_.-` and `/`.
const QUOTE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'_')
    .remove(b'.')
    .remove(b'-')
    .remove(b'/');

fn quote(text: &str) -> String {
    utf8_percent_encode(text, QUOTE).to_string()
}

const PITHOS_PREFIX: &str = "pithos://";

/// A location as kamaki sends it: each part after `pithos://` quoted.
fn quote_location(location: &str) -> Result<String> {
    let rest = location.strip_prefix(PITHOS_PREFIX).ok_or_else(|| {
        ClientError::InvalidRequest(format!(
            "image location {location:?} is not of the form pithos://<user uuid>/<container>/<path>"
        ))
    })?;
    let parts: Vec<String> = rest.split('/').map(quote).collect();
    if parts.len() < 3 || parts.iter().take(2).any(String::is_empty) {
        return Err(ClientError::InvalidRequest(format!(
            "image location {location:?} names no object: pithos://<user uuid>/<container>/<path>"
        )));
    }
    Ok(format!("{PITHOS_PREFIX}{}", parts.join("/")))
}

fn with_properties<'a>(
    mut request: RequestBuilder<'a>,
    properties: &BTreeMap<String, String>,
) -> RequestBuilder<'a> {
    for (key, value) in properties {
        request = request.header(&format!("X-Image-Meta-Property-{key}"), quote(value));
    }
    request
}

fn python_bool(value: bool) -> &'static str {
    if value {
        "True"
    } else {
        "False"
    }
}

#[derive(Deserialize)]
struct Members {
    members: Vec<ImageMember>,
}

#[derive(Deserialize)]
struct Shared {
    shared_images: Vec<SharedImage>,
}

impl ImageClient {
    /// The Pithos location of an object: `pithos://<uuid>/<container>/<path>`.
    pub fn location(uuid: &str, container: &str, path: &str) -> String {
        format!("{PITHOS_PREFIX}{uuid}/{container}/{path}")
    }

    /// The images the user may use (their own, shared with them, public),
    /// with every field if `detail`; `order` is a field to sort by,
    /// descending if it starts with `-` (the registry sorts by creation,
    /// newest first, when it is empty).
    pub async fn list_public(
        &self,
        detail: bool,
        filters: &ImageFilter,
        order: &str,
    ) -> Result<Vec<Image>> {
        let (dir, key) = match order.strip_prefix('-') {
            Some(key) => ("desc", key),
            None => ("asc", order),
        };
        let reply: serde_json::Value = self
            .get(if detail { "images/detail" } else { "images" })
            .query_opt("name", filters.name.as_deref())
            .query_opt("container_format", filters.container_format.as_deref())
            .query_opt("disk_format", filters.disk_format.as_deref())
            .query_opt("status", filters.status.as_deref())
            .query_opt("size_min", filters.size_min)
            .query_opt("size_max", filters.size_max)
            .query("sort_dir", dir)
            .query_opt("sort_key", (!key.is_empty()).then_some(key))
            .send_json()
            .await?;
        let images = match reply {
            serde_json::Value::Object(mut map) if map.contains_key("images") => {
                map.remove("images").unwrap_or_default()
            }
            other => other,
        };
        serde_json::from_value(images).map_err(|e| ClientError::InvalidResponse {
            url: self.endpoint_url().to_string(),
            message: format!("unexpected image list: {e}"),
        })
    }

    /// An image's metadata (`HEAD /images/<id>`).
    pub async fn get_meta(&self, image_id: &str) -> Result<ImageMeta> {
        let reply = self.head(&format!("images/{image_id}")).send().await?;
        Ok(ImageMeta::from_headers(reply.headers()))
    }

    /// Registers the Pithos object at `location`
    /// (`pithos://<uuid>/<container>/<path>`) as an image named `name`
    /// (`POST /images/`). Registering the same object again updates the
    /// same image.
    pub async fn register(
        &self,
        name: &str,
        location: &str,
        params: &RegisterParams,
        properties: &BTreeMap<String, String>,
    ) -> Result<ImageMeta> {
        let location = quote_location(location)?;
        let request = self
            .post("images")
            .header("X-Image-Meta-Name", quote(name))
            .header("X-Image-Meta-Location", location)
            .header_opt("X-Image-Meta-Store", params.store.as_deref())
            .header_opt("X-Image-Meta-Disk-Format", params.disk_format.as_deref())
            .header_opt(
                "X-Image-Meta-Container-Format",
                params.container_format.as_deref(),
            )
            .header_opt("X-Image-Meta-Size", params.size)
            .header_opt("X-Image-Meta-Checksum", params.checksum.as_deref())
            .header_opt("X-Image-Meta-Is-Public", params.is_public.map(python_bool))
            .header_opt("X-Image-Meta-Owner", params.owner.as_deref());
        let reply = with_properties(request, properties).send().await?;
        Ok(ImageMeta::from_headers(reply.headers()))
    }

    /// Registers an image's object again, with `name` (or the current one)
    /// and new metadata: what is not given returns to the registry's
    /// defaults, properties not given are kept.
    pub async fn reregister(
        &self,
        image_id: &str,
        name: Option<&str>,
        params: &RegisterParams,
        properties: &BTreeMap<String, String>,
    ) -> Result<ImageMeta> {
        let current = self.get_meta(image_id).await?;
        let location = current
            .location
            .ok_or_else(|| ClientError::InvalidResponse {
                url: self.endpoint_url().to_string(),
                message: format!("image {image_id} has no location"),
            })?;
        self.register(name.unwrap_or(&current.name), &location, params, properties)
            .await
    }

    /// Unregisters an image (`DELETE /images/<id>`); its file stays in
    /// Pithos.
    pub async fn unregister(&self, image_id: &str) -> Result<()> {
        self.delete(&format!("images/{image_id}"))
            .success(&[204])
            .send()
            .await?;
        Ok(())
    }

    /// Changes an image's metadata and sets properties (an empty value
    /// removes one); what is not given stays (`PUT /images/<id>`).
    pub async fn update_image(
        &self,
        image_id: &str,
        update: &ImageUpdate,
        properties: &BTreeMap<String, String>,
    ) -> Result<ImageMeta> {
        let request = self
            .put(&format!("images/{image_id}"))
            .header_opt("X-Image-Meta-Name", update.name.as_deref().map(quote))
            .header_opt("X-Image-Meta-Disk-Format", update.disk_format.as_deref())
            .header_opt(
                "X-Image-Meta-Container-Format",
                update.container_format.as_deref(),
            )
            .header_opt("X-Image-Meta-Status", update.status.as_deref())
            .header_opt("X-Image-Meta-Is-Public", update.public.map(python_bool))
            .header_opt("X-Image-Meta-Owner", update.owner_id.as_deref());
        let reply = with_properties(request, properties).send().await?;
        Ok(ImageMeta::from_headers(reply.headers()))
    }

    /// The users an image is shared with (`GET /images/<id>/members`).
    pub async fn list_members(&self, image_id: &str) -> Result<Vec<ImageMember>> {
        let reply: Members = self
            .get(&format!("images/{image_id}/members"))
            .send_json()
            .await?;
        Ok(reply.members)
    }

    /// Shares an image with a user (`PUT /images/<id>/members/<member>`).
    pub async fn add_member(&self, image_id: &str, member: &str) -> Result<()> {
        self.put(&format!("images/{image_id}/members/{member}"))
            .success(&[204])
            .send()
            .await?;
        Ok(())
    }

    /// Stops sharing an image with a user.
    pub async fn remove_member(&self, image_id: &str, member: &str) -> Result<()> {
        self.delete(&format!("images/{image_id}/members/{member}"))
            .success(&[204])
            .send()
            .await?;
        Ok(())
    }

    /// Shares an image with exactly these users (`PUT
    /// /images/<id>/members`); publicity is kept.
    pub async fn set_members(&self, image_id: &str, members: &[&str]) -> Result<()> {
        let memberships: Vec<serde_json::Value> =
            members.iter().map(|m| json!({"member_id": m})).collect();
        self.put(&format!("images/{image_id}/members"))
            .json(&json!({"memberships": memberships}))
            .success(&[204])
            .send()
            .await?;
        Ok(())
    }

    /// The images of `member` shared with the caller, public ones aside
    /// (`GET /shared-images/<member>`).
    pub async fn list_shared(&self, member: &str) -> Result<Vec<SharedImage>> {
        let reply: Shared = self
            .get(&format!("shared-images/{member}"))
            .send_json()
            .await?;
        Ok(reply.shared_images)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_are_quoted_part_by_part() {
        assert_eq!(
            quote_location("pithos://u/images/dir/my image.diskdump").unwrap(),
            "pithos://u/images/dir/my%20image.diskdump"
        );
        assert_eq!(
            quote_location("pithos://u/c/ελ").unwrap(),
            "pithos://u/c/%CE%B5%CE%BB"
        );
        for bad in [
            "/images/x",
            "pithos://u/c",
            "pithos:///c/x",
            "pithos://u//x",
        ] {
            assert!(quote_location(bad).is_err(), "{bad}");
        }
        assert_eq!(
            ImageClient::location("u", "images", "a/b"),
            "pithos://u/images/a/b"
        );
    }

    #[test]
    fn values_are_quoted_as_python_does() {
        assert_eq!(quote("Debian 12, ~x/y"), "Debian%2012%2C%20%7Ex/y");
    }
}
