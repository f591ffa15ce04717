//! The Image registry (Plankton; `/cyclades/image/v1.0`), whose images are
//! backed by Pithos objects; compute lists the same images.
//!
//! A fresh cloud has a few public images owned by the system user
//! [`SYSTEM_USER`], so that `list_images` and `create_server` work at once
//! (they have no object: their recorded size and checksum stand).
//!
//! Users register more from objects of their own Pithos account: the
//! object must exist. As all Plankton images are in Synnefo, a registered
//! image, like a snapshot, *is* its object: its id is the object's uuid
//! (registering the same object again updates the same image), its size
//! and checksum (the object's Pithos hash, `X-Object-Hash`) are read from
//! the object whenever the image is read, so they follow it when it is
//! overwritten, and it is gone once the object is (deleted, or replaced by
//! another object at the same path; a move is followed); see
//! [`ImageState::insert_object_image`]. Its owner is the object's account,
//! and its members are the users the object is readable by (the registrant
//! included).

mod api;
mod meta;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::RwLock;

use axum::routing::get;
use axum::Router;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::pithos::PithosState;

/// The uuid of the system user who owns the seeded public images.
pub const SYSTEM_USER: &str = "00000000-0000-4000-8000-000000000000";

/// A registered image.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageRecord {
    /// Its id (a uuid).
    pub id: String,
    /// Its name.
    pub name: String,
    /// The uuid of its owner.
    pub owner: String,
    /// `AVAILABLE`, `DELETED`...
    pub status: String,
    /// Whether every user sees it.
    pub is_public: bool,
    /// The size of its file, in bytes.
    pub size: u64,
    /// The checksum (the Pithos hash) of its file.
    pub checksum: String,
    /// `pithos://<owner uuid>/<container>/<path>`.
    pub location: String,
    /// e.g. `diskdump`.
    pub disk_format: String,
    /// e.g. `bare`.
    pub container_format: String,
    /// ISO 8601 creation time.
    pub created_at: String,
    /// ISO 8601 time of the last change.
    pub updated_at: String,
    /// ISO 8601 time of deletion, if deleted.
    pub deleted_at: Option<String>,
    /// Free-form properties (`OS`, `USERS`, `OSFAMILY`...).
    pub properties: BTreeMap<String, String>,
    /// Users (uuids) the image is shared with.
    pub members: Vec<String>,
}

/// The location of a Pithos object, `pithos://<account>/<container>/<path>`
/// quoted as Plankton writes it.
pub fn location(account: &str, container: &str, path: &str) -> String {
    meta::make_location(account, container, path)
}

/// The state of the Image registry.
#[derive(Debug)]
pub struct ImageState {
    /// Every image by id.
    pub images: RwLock<BTreeMap<String, ImageRecord>>,
    /// The ids of the images that are their Pithos object (the id is the
    /// object's uuid) and go with it.
    pub object_images: RwLock<BTreeSet<String>>,
    /// Answer listings as a bare JSON list, as Synnefo did before its
    /// "Make image listing comply with Openstack" change (Nov 2017) and as
    /// kamaki 0.16 reads them; off by default (`{"images": [...]}`).
    pub bare_listing: std::sync::atomic::AtomicBool,
}

impl Default for ImageState {
    fn default() -> Self {
        let seeded = [
            (
                "1d1f1a25-9f06-4c26-95e6-1c9a2f0b6a01",
                "Debian Base",
                "debian",
                "linux",
                "root",
                2_147_483_648u64,
            ),
            (
                "2a8c0c4e-4b55-4bd1-9b77-7e2f8f6c6a02",
                "Ubuntu Server LTS",
                "ubuntu",
                "linux",
                "user",
                3_221_225_472,
            ),
            (
                "3c5e2d9a-1f3b-4e0e-8c41-5d8a3e1b7a03",
                "CentOS",
                "centos",
                "linux",
                "root",
                2_684_354_560,
            ),
            (
                "4f7a6b1c-2d4e-4a8f-b0c2-9e3d5f7a8b04",
                "Windows Server",
                "windows",
                "windows",
                "Administrator",
                10_737_418_240,
            ),
        ];
        let stamp = "2026-01-01T00:00:00+00:00".to_string();
        let images = seeded
            .into_iter()
            .map(|(id, name, os, family, users, size)| {
                let properties = BTreeMap::from([
                    ("OS".to_string(), os.to_string()),
                    ("OSFAMILY".to_string(), family.to_string()),
                    ("USERS".to_string(), users.to_string()),
                    (
                        "DESCRIPTION".to_string(),
                        format!("{name}, as the cloud ships it"),
                    ),
                ]);
                let record = ImageRecord {
                    id: id.to_string(),
                    name: name.to_string(),
                    owner: SYSTEM_USER.to_string(),
                    status: "AVAILABLE".to_string(),
                    is_public: true,
                    size,
                    checksum: format!("{:064x}", size),
                    location: format!("pithos://{SYSTEM_USER}/images/{os}.diskdump"),
                    disk_format: "diskdump".to_string(),
                    container_format: "bare".to_string(),
                    created_at: stamp.clone(),
                    updated_at: stamp.clone(),
                    deleted_at: None,
                    properties,
                    members: Vec::new(),
                };
                (id.to_string(), record)
            })
            .collect();
        ImageState {
            images: RwLock::new(images),
            object_images: RwLock::default(),
            bare_listing: Default::default(),
        }
    }
}

/// The registry as a snapshot holds it: every image, and which of them are
/// their Pithos object.
#[derive(Serialize, Deserialize)]
struct StoredImages {
    images: BTreeMap<String, ImageRecord>,
    object_images: BTreeSet<String>,
}

impl ImageState {
    /// The state as JSON, for the data dir: every image (the seeded ones
    /// included, as they may have changed) and which are their Pithos
    /// object. Whether listings are bare is a start option and is left
    /// out.
    pub fn snapshot(&self) -> Value {
        // The registry's order: images, then object images.
        let images = self.images.read().unwrap_or_else(|e| e.into_inner());
        let object_images = self.object_images.read().unwrap_or_else(|e| e.into_inner());
        let stored = StoredImages {
            images: images.clone(),
            object_images: object_images.clone(),
        };
        drop(object_images);
        drop(images);
        // Cannot fail: maps have string keys and records hold strings only.
        serde_json::to_value(stored).unwrap_or(Value::Null)
    }

    /// Replaces the state with a snapshot taken by `snapshot` (start
    /// options kept: listings stay bare or not as the emulator was
    /// started). An image that is its object shows only while Pithos holds
    /// the object, as before the restart.
    pub fn restore(&self, snapshot: Value) -> Result<(), serde_json::Error> {
        let stored: StoredImages = serde_json::from_value(snapshot)?;
        let mut images = self.images.write().unwrap_or_else(|e| e.into_inner());
        let mut object_images = self
            .object_images
            .write()
            .unwrap_or_else(|e| e.into_inner());
        *images = stored.images;
        *object_images = stored.object_images;
        Ok(())
    }

    /// The images a user may see: public ones, their own, and those shared
    /// with them, as they are now (see [`ImageState::live`]); deleted
    /// images are left out.
    pub fn visible_images(&self, pithos: &PithosState, user_uuid: &str) -> Vec<ImageRecord> {
        let recorded: Vec<ImageRecord> = {
            let images = self.images.read().unwrap_or_else(|e| e.into_inner());
            images
                .values()
                .filter(|i| i.deleted_at.is_none())
                .filter(|i| {
                    i.is_public || i.owner == user_uuid || i.members.iter().any(|m| m == user_uuid)
                })
                .cloned()
                .collect()
        };
        // The registry's lock is released before Pithos is read.
        recorded
            .into_iter()
            .filter_map(|i| self.live(pithos, i))
            .collect()
    }

    /// One image, if the user may see it, as it is now.
    pub fn visible_image(
        &self,
        pithos: &PithosState,
        user_uuid: &str,
        id: &str,
    ) -> Option<ImageRecord> {
        let image = self.image(id)?;
        let visible = image.deleted_at.is_none()
            && (image.is_public
                || image.owner == user_uuid
                || image.members.iter().any(|m| m == user_uuid));
        if !visible {
            return None;
        }
        self.live(pithos, image)
    }

    /// A recorded image as it is now: size and checksum from its Pithos
    /// object if there is one at its location (the recorded values
    /// otherwise). An image that is its object
    /// ([`ImageState::insert_object_image`]) follows the object's uuid if it
    /// moved, and is `None` once the object is gone.
    /// Takes the Pithos lock: call it holding no registry lock.
    pub fn live(&self, pithos: &PithosState, mut image: ImageRecord) -> Option<ImageRecord> {
        let is_object = self
            .object_images
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .contains(&image.id);
        let object =
            meta::split_location(&image.location).and_then(|(account, container, path)| {
                pithos.object_summary(&account, &account, &container, &path)
            });
        match object {
            Some(object) if !is_object || object.uuid == image.id => {
                image.size = object.size;
                image.checksum = object.hash;
                Some(image)
            }
            // Moved (or renamed) within its account: Plankton finds an image
            // by its object's uuid, wherever the object went.
            _ if is_object => {
                let (container, path, object) = pithos.locate_uuid(&image.owner, &image.id)?;
                image.location = meta::make_location(&image.owner, &container, &path);
                image.size = object.size;
                image.checksum = object.hash;
                Some(image)
            }
            _ => Some(image),
        }
    }

    /// Adds (or replaces) an image record as it is, for tests and for
    /// services that make images themselves.
    pub fn insert(&self, record: ImageRecord) {
        self.images
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(record.id.clone(), record);
    }

    /// Adds (or replaces) the image that a Pithos object is (a snapshot or a
    /// registered image):
    /// its id is the object's uuid, and it is gone once the object is.
    /// Other images recorded at the same location are dropped: an object
    /// is one image.
    pub fn insert_object_image(&self, record: ImageRecord) {
        self.images
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|id, i| i.location != record.location || *id == record.id);
        self.object_images
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(record.id.clone());
        self.insert(record);
    }

    /// An image by id as recorded, whoever may see it.
    pub fn image(&self, id: &str) -> Option<ImageRecord> {
        self.images
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(id)
            .cloned()
    }
}

/// What the Image registry handlers see: their service's state and what it
/// shares with others ([`crate::state::AppState::image_service`] makes it).
#[derive(Clone, Debug)]
pub struct ImageService {
    /// The base URL clients reach the emulator at, without trailing slash.
    pub base_url: std::sync::Arc<str>,
    /// The users and components, for authentication.
    pub identity: std::sync::Arc<crate::identity::Identity>,
    /// The registry.
    pub image: std::sync::Arc<ImageState>,
    /// The object store images live in.
    pub pithos: std::sync::Arc<crate::pithos::PithosState>,
}

impl crate::identity::HasIdentity for ImageService {
    fn identity(&self) -> &crate::identity::Identity {
        &self.identity
    }
}

/// The routes of the Image registry, nested at its catalog path.
pub fn router() -> Router<ImageService> {
    Router::new()
        .route("/images", get(api::list_images).post(api::register))
        .route("/images/", get(api::list_images).post(api::register))
        .route("/images/detail", get(api::list_images_detail))
        .route(
            "/images/{id}",
            get(api::get_image_data)
                .head(api::get_meta)
                .put(api::update_image)
                .delete(api::unregister),
        )
        .route(
            "/images/{id}/members",
            get(api::list_members).put(api::set_members),
        )
        .route(
            "/images/{id}/members/{member}",
            axum::routing::put(api::add_member).delete(api::remove_member),
        )
        .route("/shared-images/{member}", get(api::list_shared))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::Ordering;

    #[test]
    fn snapshots_round_trip_keeping_the_listing_format() {
        let state = ImageState::default();
        let mut image = state.image("1d1f1a25-9f06-4c26-95e6-1c9a2f0b6a01").unwrap();
        image.id = "5e1c0000-0000-4000-8000-000000000005".to_string();
        image.owner = "alice".to_string();
        image.location = location("alice", "images", "my image.diskdump");
        image
            .properties
            .insert("USERS".to_string(), "root user".to_string());
        image.members = vec!["bob".to_string()];
        state.insert_object_image(image.clone());
        let snapshot = state.snapshot();
        assert_eq!(snapshot["object_images"], serde_json::json!([image.id]));
        assert_eq!(
            snapshot["images"][&image.id]["properties"]["USERS"],
            "root user"
        );
        assert!(snapshot.get("bare_listing").is_none());

        let restored = ImageState::default();
        restored.bare_listing.store(true, Ordering::Relaxed);
        restored.restore(snapshot.clone()).unwrap();
        assert_eq!(restored.snapshot(), snapshot);
        assert_eq!(restored.image(&image.id), Some(image));
        assert!(
            restored.bare_listing.load(Ordering::Relaxed),
            "a start option"
        );
    }
}
