//! What an application for a project says, read and checked as Astakos
//! checks it (names as domains, bounded text, resource policies), and the
//! JSON forms of dates and grants.

use super::*;

pub(super) const MAX_NAME_LENGTH: usize = 80;

pub(super) const MAX_HOMEPAGE_LENGTH: usize = 255;

pub(super) const MAX_TEXT_INPUT: usize = 4096;

pub(super) const MAX_BIGINT: u64 = (1 << 63) - 1;

/// Project names are domain names: labels of letters, digits and inner
/// hyphens, and a final label of 2 to 6 letters.
pub(super) fn valid_project_name(name: &str) -> bool {
    let labels: Vec<&str> = name.split('.').collect();
    let Some((tld, rest)) = labels.split_last() else {
        return false;
    };
    if rest.is_empty() || !(2..=6).contains(&tld.len()) {
        return false;
    }
    if !tld.chars().all(|c| c.is_ascii_alphabetic()) {
        return false;
    }
    rest.iter().all(|label| {
        !label.is_empty()
            && label.len() <= 63
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !label.starts_with('-')
            && !label.ends_with('-')
    })
}

pub(super) fn date_json(t: Option<OffsetDateTime>) -> Value {
    t.map_or(Value::Null, |t| json!(isoformat(t)))
}

pub(super) fn grants_json(grants: &Grants) -> Value {
    let visible: serde_json::Map<String, Value> = grants
        .iter()
        .filter(|(r, _)| crate::quotas::resource(r).is_some_and(|r| r.api_visible))
        .map(|(r, (member, project))| {
            (
                r.clone(),
                json!({"member_capacity": member, "project_capacity": project}),
            )
        })
        .collect();
    Value::Object(visible)
}

/// A request body's string member, if given.
pub(super) fn maybe_string(
    body: &serde_json::Map<String, Value>,
    key: &str,
) -> ApiResult<Option<String>> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(ApiError::bad_request(format!("{key} must be string"))),
    }
}

pub(super) fn maybe_bool(
    body: &serde_json::Map<String, Value>,
    key: &str,
) -> ApiResult<Option<bool>> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(ApiError::bad_request(format!("{key} must be boolean"))),
    }
}

pub(super) fn maybe_policy(
    body: &serde_json::Map<String, Value>,
    key: &str,
) -> ApiResult<Option<Policy>> {
    let what = key.trim_end_matches("_policy");
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => Policy::parse(value, what).map(Some),
    }
}

/// `max_members`: a number, or a string of one (`"10"`, `"inf"`).
pub(super) fn max_members(value: &Value) -> ApiResult<u64> {
    let invalid = || ApiError::bad_request("Invalid max_members");
    match value {
        Value::Number(n) => n.as_u64().ok_or_else(|| {
            if n.as_i64().is_some_and(|i| i < 0) {
                ApiError::bad_request("max_members out of range")
            } else {
                invalid()
            }
        }),
        Value::String(s) if s.trim().eq_ignore_ascii_case("inf") => {
            Ok(crate::account::PRACTICALLY_INFINITE)
        }
        Value::String(s) => s.trim().parse().map_err(|_| invalid()),
        _ => Err(invalid()),
    }
}

pub(super) fn date_member(
    body: &serde_json::Map<String, Value>,
    key: &str,
) -> ApiResult<Option<OffsetDateTime>> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => crate::clock::parse_date(s)
            .map(Some)
            .ok_or_else(|| ApiError::bad_request(format!("Invalid {key}"))),
        Some(_) => Err(ApiError::bad_request(format!("Invalid {key}"))),
    }
}

/// Validates `resources` of an application: known, visible resources,
/// with non-negative integer capacities, the project's no less than the
/// member's.
pub(super) fn resource_policies(value: Option<&Value>) -> ApiResult<Grants> {
    let malformed = || ApiError::bad_request("Malformed resource policies");
    let policies = match value {
        None => return Ok(Grants::new()),
        Some(Value::Object(map)) => map,
        Some(_) => return Err(malformed()),
    };
    let mut grants = Grants::new();
    for (name, spec) in policies {
        if !crate::quotas::resource(name).is_some_and(|r| r.api_visible) {
            return Err(malformed());
        }
        let capacity = |key: &str| -> ApiResult<i128> {
            spec.get(key)
                .and_then(|v| {
                    v.as_i64()
                        .map(i128::from)
                        .or_else(|| v.as_u64().map(i128::from))
                })
                .ok_or_else(malformed)
        };
        let project = capacity("project_capacity")?;
        let member = capacity("member_capacity")?;
        if project > i128::from(MAX_BIGINT) || member > i128::from(MAX_BIGINT) {
            return Err(ApiError::bad_request(format!(
                "Quota limit exceeds max value {MAX_BIGINT}"
            )));
        }
        if project < 0 || member < 0 {
            return Err(ApiError::bad_request("Negative quota limit is not allowed"));
        }
        if project < member {
            return Err(ApiError::bad_request(format!(
                "Project quota limit is less than member limit for resource '{name}'"
            )));
        }
        grants.insert(name.clone(), (member as u64, project as u64));
    }
    Ok(grants)
}

/// What an application asks, parsed from a request body.
pub(super) struct Request {
    pub(super) owner: Option<String>,
    pub(super) name: Option<String>,
    pub(super) homepage: Option<String>,
    pub(super) description: Option<String>,
    pub(super) comments: Option<String>,
    pub(super) start_date: Option<OffsetDateTime>,
    pub(super) end_date: Option<OffsetDateTime>,
    pub(super) join_policy: Option<Policy>,
    pub(super) leave_policy: Option<Policy>,
    pub(super) max_members: Option<u64>,
    pub(super) private: Option<bool>,
    pub(super) resources: Grants,
}

impl Request {
    pub(super) fn parse(
        body: &serde_json::Map<String, Value>,
        registry: &Registry,
    ) -> ApiResult<Self> {
        let owner = match body.get("owner") {
            None | Some(Value::Null) => None,
            Some(Value::String(uuid)) if registry.users.contains_key(uuid) => Some(uuid.clone()),
            Some(_) => return Err(ApiError::bad_request("User does not exist.")),
        };
        let name = match body.get("name") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => {
                return Err(ApiError::bad_request(
                    "Project name should be in domain format",
                ))
            }
        };
        let max_members = match body.get("max_members") {
            None | Some(Value::Null) => None,
            Some(value) => Some(max_members(value)?),
        };
        let request = Request {
            owner,
            name,
            homepage: maybe_string(body, "homepage")?,
            description: maybe_string(body, "description")?,
            comments: maybe_string(body, "comments")?,
            start_date: date_member(body, "start_date")?,
            end_date: date_member(body, "end_date")?,
            join_policy: maybe_policy(body, "join_policy")?,
            leave_policy: maybe_policy(body, "leave_policy")?,
            max_members,
            private: maybe_bool(body, "private")?,
            resources: resource_policies(body.get("resources"))?,
        };
        request.validate()?;
        Ok(request)
    }

    pub(super) fn validate(&self) -> ApiResult<()> {
        if let Some(name) = &self.name {
            if name.chars().count() > MAX_NAME_LENGTH {
                return Err(ApiError::bad_request(format!(
                    "'name' value exceeds max length {MAX_NAME_LENGTH}"
                )));
            }
            if !valid_project_name(name) {
                return Err(ApiError::bad_request(
                    "Project name should be in domain format",
                ));
            }
        }
        if self
            .homepage
            .as_ref()
            .is_some_and(|h| h.chars().count() > MAX_HOMEPAGE_LENGTH)
        {
            return Err(ApiError::bad_request(format!(
                "'homepage' value exceeds max length {MAX_HOMEPAGE_LENGTH}"
            )));
        }
        for (key, value) in [
            ("description", &self.description),
            ("comments", &self.comments),
        ] {
            if value
                .as_ref()
                .is_some_and(|v| v.chars().count() > MAX_TEXT_INPUT)
            {
                return Err(ApiError::bad_request(format!(
                    "'{key}' value exceeds max length {MAX_TEXT_INPUT}"
                )));
            }
        }
        if self.max_members.is_some_and(|m| m > MAX_BIGINT) {
            return Err(ApiError::bad_request("max_members out of range"));
        }
        if self.end_date.is_some_and(|d| d < now()) {
            return Err(ApiError::bad_request("'end_date' must be in the future"));
        }
        Ok(())
    }
}
