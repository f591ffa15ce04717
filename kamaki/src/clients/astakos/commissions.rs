//! Commissions: how services allocate resources against users' quotas, in
//! two steps (issue, then accept or reject). Astakos reserves these calls
//! to service tokens.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::{AstakosClient, Extra};
use crate::clients::{ClientError, Result};

/// One allocation of a commission: `quantity` of `resource` for `holder`
/// (`user:<uuid>` or `project:<id>`) from `source` (`project:<id>` for a
/// member, `None` for the project itself).
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
pub struct Provision {
    /// `user:<uuid>` or `project:<id>`.
    pub holder: String,
    /// `project:<id>`, or `None` when the project itself is the holder.
    pub source: Option<String>,
    /// The resource, e.g. `cyclades.vm`.
    pub resource: String,
    /// How much; negative releases.
    pub quantity: i64,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A commission to issue ([`AstakosClient::issue_commission`]).
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
pub struct CommissionRequest {
    /// Succeed even over a limit.
    pub force: bool,
    /// Accept at once.
    pub auto_accept: bool,
    /// A description.
    pub name: String,
    /// The allocations.
    pub provisions: Vec<Provision>,
}

/// A pending commission (`GET commissions/<serial>`).
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
pub struct CommissionInfo {
    /// Its serial.
    #[serde(default)]
    pub serial: u64,
    /// When it was issued (ISO 8601).
    #[serde(default)]
    pub issue_time: Option<String>,
    /// Its description.
    #[serde(default)]
    pub name: String,
    /// What it allocates.
    #[serde(default)]
    pub provisions: Vec<Provision>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// What [`AstakosClient::resolve_commissions`] did.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
pub struct CommissionResolution {
    /// Serials accepted.
    #[serde(default)]
    pub accepted: Vec<u64>,
    /// Serials rejected.
    #[serde(default)]
    pub rejected: Vec<u64>,
    /// Serials that failed, each with the fault that says why.
    #[serde(default)]
    pub failed: Vec<(u64, Value)>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Deserialize)]
struct Serial {
    serial: u64,
}

/// The name the Python client shows for a resource in over-limit errors.
fn resource_display(resource: &str) -> &str {
    match resource {
        "cyclades.disk" => "Disk",
        "cyclades.vm" => "Virtual Machine",
        "cyclades.cpu" => "CPU",
        "cyclades.ram" => "RAM",
        "cyclades.floating_ip" => "Floating IP address",
        "cyclades.network.private" => "Private Network",
        "pithos.diskspace" => "Storage space",
        "astakos.pending_app" => "Pending Applications",
        other => other,
    }
}

/// Renders Astakos' `overLimit` fault (whose `data` names the provision,
/// the limit and the usage) as the Python client does.
fn over_limit_error(body: &[u8], request: String) -> Option<ClientError> {
    let fault: Value = serde_json::from_slice(body).ok()?;
    let data = fault.get("overLimit")?.get("data")?;
    let limit = data.get("limit")?.as_i64()?;
    let usage = data.get("usage")?.as_i64()?;
    let provision = data.get("provision")?;
    let requested = provision.get("quantity")?.as_i64()?;
    let resource = provision.get("resource")?.as_str()?;
    Some(ClientError::Http {
        status: 413,
        reason: "Payload Too Large".into(),
        kind: Some("overLimit".into()),
        message: "Resource Limit Exceeded for your account.".into(),
        details: vec![format!(
            "Limit for resource '{}' exceeded for your account. Available: {}, Requested: {requested}",
            resource_display(resource),
            limit.saturating_sub(usage)
        )],
        request,
    })
}

impl AstakosClient {
    /// The two provisions that charge `holder` (a user uuid) in `source`
    /// (a project id): the member's and the project's.
    pub fn mk_provisions(
        holder: &str,
        source: &str,
        resource: &str,
        quantity: i64,
    ) -> Vec<Provision> {
        vec![
            Provision {
                holder: format!("user:{holder}"),
                source: Some(format!("project:{source}")),
                resource: resource.to_string(),
                quantity,
                extra: Extra::new(),
            },
            Provision {
                holder: format!("project:{source}"),
                source: None,
                resource: resource.to_string(),
                quantity,
                extra: Extra::new(),
            },
        ]
    }

    /// Issues a commission (`POST commissions`) and returns its serial.
    /// Over a limit the error is a 413 whose message and details say which
    /// resource and how much is left, as kamaki's `QuotaLimit`.
    pub async fn issue_commission(&self, request: &CommissionRequest) -> Result<u64> {
        let account = self.account_client().await?;
        let reply = account
            .post("commissions")
            .json(request)
            .success(&[201, 413])
            .send()
            .await?;
        if reply.status() == 413 {
            let label = format!("POST {}", reply.url());
            return Err(over_limit_error(reply.body(), label.clone())
                .unwrap_or_else(|| ClientError::from_http_reply(413, reply.body(), label, None)));
        }
        Ok(reply.json::<Serial>()?.serial)
    }

    /// Issues a commission for one user: each `(project, resource,
    /// quantity)` charges the user in the project and the project itself.
    pub async fn issue_one_commission(
        &self,
        holder: &str,
        provisions: &[(&str, &str, i64)],
        name: &str,
        force: bool,
        auto_accept: bool,
    ) -> Result<u64> {
        let provisions = provisions
            .iter()
            .flat_map(|(source, resource, quantity)| {
                Self::mk_provisions(holder, source, resource, *quantity)
            })
            .collect();
        self.issue_commission(&CommissionRequest {
            force,
            auto_accept,
            name: name.to_string(),
            provisions,
        })
        .await
    }

    /// Issues a commission for several users and projects:
    /// `user_provisions` are `(user, project, resource, quantity)`,
    /// `project_provisions` `(project, resource, quantity)`.
    pub async fn issue_commission_generic(
        &self,
        user_provisions: &[(&str, &str, &str, i64)],
        project_provisions: &[(&str, &str, i64)],
        name: &str,
        force: bool,
        auto_accept: bool,
    ) -> Result<u64> {
        let mut provisions: Vec<Provision> = user_provisions
            .iter()
            .map(|(user, project, resource, quantity)| Provision {
                holder: format!("user:{user}"),
                source: Some(format!("project:{project}")),
                resource: resource.to_string(),
                quantity: *quantity,
                extra: Extra::new(),
            })
            .collect();
        provisions.extend(
            project_provisions
                .iter()
                .map(|(project, resource, quantity)| Provision {
                    holder: format!("project:{project}"),
                    source: None,
                    resource: resource.to_string(),
                    quantity: *quantity,
                    extra: Extra::new(),
                }),
        );
        self.issue_commission(&CommissionRequest {
            force,
            auto_accept,
            name: name.to_string(),
            provisions,
        })
        .await
    }

    /// Moves a user's allocations between projects: each `(from project,
    /// to project, resource, quantity)` releases in the first and charges
    /// in the second.
    pub async fn issue_resource_reassignment(
        &self,
        holder: &str,
        provisions: &[(&str, &str, &str, i64)],
        name: &str,
        force: bool,
        auto_accept: bool,
    ) -> Result<u64> {
        let provisions = provisions
            .iter()
            .flat_map(|(from, to, resource, quantity)| {
                let mut out = Self::mk_provisions(holder, from, resource, -quantity);
                out.extend(Self::mk_provisions(holder, to, resource, *quantity));
                out
            })
            .collect();
        self.issue_commission(&CommissionRequest {
            force,
            auto_accept,
            name: name.to_string(),
            provisions,
        })
        .await
    }

    /// The serials of the caller's pending commissions (`GET commissions`).
    pub async fn get_pending_commissions(&self) -> Result<Vec<u64>> {
        self.account_client()
            .await?
            .get("commissions")
            .send_json()
            .await
    }

    /// A pending commission (`GET commissions/<serial>`).
    pub async fn get_commission_info(&self, serial: u64) -> Result<CommissionInfo> {
        self.account_client()
            .await?
            .get(&format!("commissions/{serial}"))
            .send_json()
            .await
    }

    /// Accepts or rejects a pending commission (`POST
    /// commissions/<serial>/action`); `action` is `accept` or `reject`.
    pub async fn commission_action(&self, serial: u64, action: &str) -> Result<()> {
        if !matches!(action, "accept" | "reject") {
            return Err(ClientError::InvalidRequest(format!(
                "unknown commission action {action:?}: expected accept or reject"
            )));
        }
        self.account_client()
            .await?
            .post(&format!("commissions/{serial}/action"))
            .json(&json!({action: ""}))
            .success(&[200, 202, 204])
            .send()
            .await?;
        Ok(())
    }

    /// Accepts a pending commission: its allocations become usage.
    pub async fn accept_commission(&self, serial: u64) -> Result<()> {
        self.commission_action(serial, "accept").await
    }

    /// Rejects a pending commission: its allocations are undone.
    pub async fn reject_commission(&self, serial: u64) -> Result<()> {
        self.commission_action(serial, "reject").await
    }

    /// Accepts and rejects several commissions at once (`POST
    /// commissions/action`).
    pub async fn resolve_commissions(
        &self,
        accept: &[u64],
        reject: &[u64],
    ) -> Result<CommissionResolution> {
        self.account_client()
            .await?
            .post("commissions/action")
            .json(&json!({"accept": accept, "reject": reject}))
            .send_json()
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn over_limit_faults_are_rendered_as_kamaki_does() {
        let body = json!({"overLimit": {"message": "x", "code": 413, "data": {
            "name": "NoCapacityError", "limit": 10, "usage": 8,
            "provision": {"holder": "user:u", "source": "project:u", "resource": "cyclades.vm", "quantity": 3}
        }}});
        let err = over_limit_error(body.to_string().as_bytes(), "POST x".into()).unwrap();
        assert_eq!(err.status(), 413);
        assert_eq!(err.message(), "Resource Limit Exceeded for your account.");
        assert_eq!(
            err.details(),
            ["Limit for resource 'Virtual Machine' exceeded for your account. Available: 2, Requested: 3"]
        );
        assert!(over_limit_error(b"{}", String::new()).is_none());
        assert!(over_limit_error(b"not json", String::new()).is_none());
    }

    #[test]
    fn provisions_charge_member_and_project() {
        let p = AstakosClient::mk_provisions("u", "p", "cyclades.vm", 2);
        assert_eq!(
            serde_json::to_value(&p).unwrap(),
            json!([
                {"holder": "user:u", "source": "project:p", "resource": "cyclades.vm", "quantity": 2},
                {"holder": "project:p", "source": null, "resource": "cyclades.vm", "quantity": 2},
            ])
        );
    }

    #[test]
    fn resolutions_parse_failed_pairs() {
        let r: CommissionResolution = serde_json::from_value(json!({
            "accepted": [1], "rejected": [], "failed": [[2, {"itemNotFound": {"code": 404}}]]
        }))
        .unwrap();
        assert_eq!(r.failed[0].0, 2);
    }
}
