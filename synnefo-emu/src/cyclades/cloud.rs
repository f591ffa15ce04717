//! The Cyclades transaction: compute, network and block storage data
//! locked together, brought up to date, and rolled back whole when a
//! request fails half way.

use std::sync::MutexGuard;
use std::time::{Duration, Instant};

use time::OffsetDateTime;

use super::model::{ComputeData, NetworkData, VolumeData};
use crate::cyclades::CycladesService;
use crate::errors::ApiResult;
use crate::identity::User;

/// The three Cyclades services' data, locked (always compute, then
/// network, then volume, so two requests never deadlock) and settled: every
/// pending action whose delay has passed is complete.
pub struct Cloud<'a> {
    /// The whole emulator, for quotas, images and URLs.
    pub state: &'a CycladesService,
    /// Servers, flavors, keypairs.
    pub compute: MutexGuard<'a, ComputeData>,
    /// Networks, subnets, ports, addresses.
    pub network: MutexGuard<'a, NetworkData>,
    /// Volumes, snapshots, volume types.
    pub volume: MutexGuard<'a, VolumeData>,
    /// The moment of this request (monotonic, for delays).
    pub now: Instant,
    /// The moment of this request (wall clock, for timestamps).
    pub wall: OffsetDateTime,
    /// How long an action takes to complete.
    pub delay: Duration,
}

impl<'a> Cloud<'a> {
    /// Locks the Cyclades data and completes every action that is due.
    pub fn lock(state: &'a CycladesService) -> Cloud<'a> {
        let compute = state.compute.data();
        let network = state.network.data();
        let volume = state.volume.data();
        let mut cloud = Cloud {
            state,
            compute,
            network,
            volume,
            now: Instant::now(),
            wall: crate::clock::now(),
            delay: state.compute.action_delay(),
        };
        super::lifecycle::settle(&mut cloud);
        super::model::volume::settle(&mut cloud);
        cloud
    }

    /// When an action issued now completes (monotonic and wall clock).
    pub fn due(&self) -> (Instant, OffsetDateTime) {
        (self.now + self.delay, self.wall + self.delay)
    }

    /// Runs `f`; if it fails, every change it made to the Cyclades data is
    /// undone, so that a failed request leaves nothing half-created. (Quota
    /// charges are not undone: operations charge as their last fallible
    /// step.)
    pub fn atomic<T>(&mut self, f: impl FnOnce(&mut Cloud<'a>) -> ApiResult<T>) -> ApiResult<T> {
        let saved = (
            self.compute.clone(),
            self.network.clone(),
            self.volume.clone(),
        );
        let result = f(self);
        if result.is_err() {
            *self.compute = saved.0;
            *self.network = saved.1;
            *self.volume = saved.2;
        }
        result
    }

    /// The base URL of a service's API, version included, for links.
    pub fn service_url(&self, service_type: &str) -> String {
        let path = crate::catalog::service(service_type)
            .map(|s| s.served_path())
            .unwrap_or_default();
        format!("{}{path}", self.state.base_url)
    }

    /// `self` and `bookmark` links of a resource under a service.
    pub fn links(&self, service_type: &str, collection: &str, id: &str) -> serde_json::Value {
        let href = format!("{}/{collection}/{id}", self.service_url(service_type));
        serde_json::json!([
            {"rel": "self", "href": href},
            {"rel": "bookmark", "href": href},
        ])
    }

    /// Charges `user`'s `project` (overLimit when over a limit; all or
    /// nothing).
    pub fn charge(&self, user: &str, project: &str, deltas: &[(&str, i64)]) -> ApiResult<()> {
        self.state.quotas.charge(user, project, deltas)
    }

    /// Releases what [`Cloud::charge`] charged.
    pub fn release(&self, user: &str, project: &str, deltas: &[(&str, i64)]) {
        let negated: Vec<(&str, i64)> = deltas.iter().map(|(r, d)| (*r, -d)).collect();
        let _ = self.state.quotas.charge(user, project, &negated);
    }

    /// The projects a user may use: their own system project and their
    /// default project.
    pub fn user_projects(user: &User) -> Vec<String> {
        let mut projects = vec![user.uuid.clone()];
        if user.default_project != user.uuid {
            projects.push(user.default_project.clone());
        }
        projects
    }
}
