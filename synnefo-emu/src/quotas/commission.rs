//! Commissions: the provisions a service asks for in one transaction,
//! the errors that refuse them (as Astakos words them), and how pending
//! ones are resolved.

use super::*;

/// One allocation of a commission.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provision {
    /// `user:<uuid>` or `project:<id>`.
    pub holder: String,
    /// `project:<id>` for a member's holding, `None` for a project's own.
    pub source: Option<String>,
    /// The resource.
    pub resource: String,
    /// How much (negative releases).
    pub quantity: i64,
}

impl Provision {
    pub(super) fn key(&self) -> Key {
        (
            self.holder.clone(),
            self.source.clone(),
            self.resource.clone(),
        )
    }

    pub(super) fn to_json(&self) -> Value {
        json!({
            "holder": self.holder,
            "source": self.source,
            "resource": self.resource,
            "quantity": self.quantity,
        })
    }
}

/// Why a commission was refused, as the quotaholder names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CommissionErrorKind {
    /// A quantity would exceed a limit (413 `overLimit`).
    NoCapacity,
    /// A release would take more than is held (413 `overLimit`).
    NoQuantity,
    /// A holding does not exist (404 `itemNotFound`).
    NoHolding,
}

/// A refused commission, with the data Astakos adds to its fault.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommissionError {
    /// What went wrong.
    pub kind: CommissionErrorKind,
    /// The human-readable message.
    pub message: String,
    /// The provision to blame.
    pub provision: Provision,
    /// The holding's limit (over-limit errors).
    pub limit: Option<u64>,
    /// The holding's usage (over-limit errors).
    pub usage: Option<u64>,
}

impl CommissionError {
    /// The exception name Astakos puts in `data.name`.
    pub fn name(&self) -> &'static str {
        match self.kind {
            CommissionErrorKind::NoCapacity => "NoCapacityError",
            CommissionErrorKind::NoQuantity => "NoQuantityError",
            CommissionErrorKind::NoHolding => "NoHoldingError",
        }
    }

    /// The fault's `data` member.
    pub fn data(&self) -> Value {
        let mut data = json!({"name": self.name(), "provision": self.provision.to_json()});
        if let Some(limit) = self.limit {
            data["limit"] = json!(limit);
        }
        if let Some(usage) = self.usage {
            data["usage"] = json!(usage);
        }
        data
    }

    /// The whole fault body Astakos answers `POST /commissions` with.
    pub fn body(&self) -> (u16, Value) {
        let (name, code) = match self.kind {
            CommissionErrorKind::NoHolding => ("itemNotFound", 404),
            _ => ("overLimit", 413),
        };
        (
            code,
            json!({name: {"message": self.message, "code": code, "data": self.data()}}),
        )
    }

    /// The fault a service answers its user with (as Cyclades renders an
    /// Astakos over-limit).
    pub(super) fn service_fault(&self) -> ApiError {
        let available = self
            .limit
            .unwrap_or(0)
            .saturating_sub(self.usage.unwrap_or(0));
        ApiError::over_limit("Resource Limit Exceeded for your account.").with_details(format!(
            "Limit for resource '{}' exceeded for your account. Available: {available}, Requested: {}",
            display_name(&self.provision.resource),
            self.provision.quantity
        ))
    }
}

/// A pending commission.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Commission {
    /// Its serial.
    pub serial: u64,
    /// The client (service) that issued it.
    pub clientkey: String,
    /// Its description.
    pub name: String,
    /// When it was issued (ISO 8601).
    pub issue_time: String,
    /// What it allocates.
    pub provisions: Vec<Provision>,
}

impl Commission {
    /// As `GET /commissions/<serial>` shows it.
    pub fn to_json(&self) -> Value {
        json!({
            "serial": self.serial,
            "issue_time": self.issue_time,
            "name": self.name,
            "provisions": self.provisions.iter().map(Provision::to_json).collect::<Vec<_>>(),
        })
    }
}

/// What resolving commissions did: serials accepted, rejected, not found,
/// and both accepted and rejected (so neither).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Resolution {
    /// Serials accepted.
    pub accepted: Vec<u64>,
    /// Serials rejected.
    pub rejected: Vec<u64>,
    /// Serials that do not exist (for this client).
    pub not_found: Vec<u64>,
    /// Serials asked to be both accepted and rejected.
    pub conflicting: Vec<u64>,
}
