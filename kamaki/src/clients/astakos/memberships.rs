//! Project memberships: joining, enrolling, leaving, and the owner's
//! decisions.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::{AstakosClient, Extra};
use crate::clients::{ClientError, Result};

/// A user's membership of a project.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
pub struct Membership {
    /// Its id.
    #[serde(default)]
    pub id: u64,
    /// The member's uuid.
    #[serde(default)]
    pub user: String,
    /// The project's id.
    #[serde(default)]
    pub project: String,
    /// `requested`, `accepted`, `leave_requested`, `suspended`, `rejected`,
    /// `cancelled` or `removed`.
    #[serde(default)]
    pub state: String,
    /// What the user asking may do with it (`leave`, `cancel`, `accept`,
    /// `reject`, `remove`).
    #[serde(default)]
    pub allowed_actions: Vec<String>,
    /// When it was last requested (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requested: Option<String>,
    /// When it was last accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepted: Option<String>,
    /// When it was last removed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub removed: Option<String>,
    /// Unknown fields (and the dates of the other states).
    #[serde(flatten)]
    pub extra: Extra,
}

/// The actions on a membership ([`AstakosClient::membership_action`]).
pub const MEMBERSHIP_ACTIONS: [&str; 5] = ["leave", "cancel", "accept", "reject", "remove"];

#[derive(Deserialize)]
struct MembershipId {
    id: u64,
}

impl AstakosClient {
    /// The memberships the user may see (their own, and those of the
    /// projects they own), of one project if given (`GET
    /// projects/memberships`).
    pub async fn get_memberships(&self, project_id: Option<&str>) -> Result<Vec<Membership>> {
        self.account_client()
            .await?
            .get("projects/memberships")
            .query_opt("project", project_id)
            .send_json()
            .await
    }

    /// One membership (`GET projects/memberships/<id>`).
    pub async fn get_membership(&self, membership_id: u64) -> Result<Membership> {
        self.account_client()
            .await?
            .get(&format!("projects/memberships/{membership_id}"))
            .send_json()
            .await
    }

    async fn post_membership(&self, body: Value) -> Result<u64> {
        let reply: MembershipId = self
            .account_client()
            .await?
            .post("projects/memberships")
            .json(&body)
            .success(&[200, 201])
            .send_json()
            .await?;
        Ok(reply.id)
    }

    /// Asks to join a project (accepted at once if its join policy is
    /// `auto`); returns the membership's id.
    pub async fn join_project(&self, project_id: &str) -> Result<u64> {
        self.post_membership(json!({"join": {"project": project_id}}))
            .await
    }

    /// Makes a user (by email) a member of a project the caller owns;
    /// returns the membership's id.
    pub async fn enroll_member(&self, project_id: &str, email: &str) -> Result<u64> {
        self.post_membership(json!({"enroll": {"project": project_id, "user": email}}))
            .await
    }

    /// Acts on a membership: `leave`, `cancel` (the member), `accept`,
    /// `reject`, `remove` (the owner) (`POST
    /// projects/memberships/<id>/action`).
    pub async fn membership_action(
        &self,
        membership_id: u64,
        action: &str,
        reason: &str,
    ) -> Result<()> {
        if !MEMBERSHIP_ACTIONS.contains(&action) {
            return Err(ClientError::InvalidRequest(format!(
                "unknown membership action {action:?}: expected one of {}",
                MEMBERSHIP_ACTIONS.join(", ")
            )));
        }
        self.account_client()
            .await?
            .post(&format!("projects/memberships/{membership_id}/action"))
            .json(&json!({action: reason}))
            .success(&[200, 202, 204])
            .send()
            .await?;
        Ok(())
    }

    /// Leaves a project (or asks to, if its leave policy is moderated).
    pub async fn leave_project(&self, membership_id: u64, reason: &str) -> Result<()> {
        self.membership_action(membership_id, "leave", reason).await
    }

    /// Withdraws a request to join.
    pub async fn cancel_membership(&self, membership_id: u64, reason: &str) -> Result<()> {
        self.membership_action(membership_id, "cancel", reason)
            .await
    }

    /// Accepts a request to join (project owners).
    pub async fn accept_membership(&self, membership_id: u64, reason: &str) -> Result<()> {
        self.membership_action(membership_id, "accept", reason)
            .await
    }

    /// Rejects a request to join (project owners).
    pub async fn reject_membership(&self, membership_id: u64, reason: &str) -> Result<()> {
        self.membership_action(membership_id, "reject", reason)
            .await
    }

    /// Removes a member (project owners).
    pub async fn remove_membership(&self, membership_id: u64, reason: &str) -> Result<()> {
        self.membership_action(membership_id, "remove", reason)
            .await
    }
}
