//! The server status machine: which actions a server in a given state
//! accepts (Synnefo's `validate_server_action`), the quota each action
//! charges or releases, and what each action leaves behind once its delay
//! has passed.
//!
//! An action issued at time `t` completes at `t + delay`; completion happens
//! when the Cyclades data is next locked ([`settle`]), so the status a client
//! reads is a pure function of the timestamps: deterministic and free.

use std::time::Instant;

use serde_json::json;
use time::OffsetDateTime;

use super::model::compute::Flavor;
pub use super::model::compute::{Action, OperState, Task};
use super::model::network::remove_port;
use super::model::volume::{Volume, VolumeStatus};
use crate::clock;
use crate::cyclades::Cloud;
use crate::errors::{ApiError, ApiResult};

/// What a server of a flavor counts against, whether running or not.
pub fn offline_resources(flavor: &Flavor) -> [(&'static str, i64); 3] {
    [
        ("cyclades.vm", 1),
        ("cyclades.total_cpu", as_i64(flavor.cpu)),
        ("cyclades.total_ram", as_i64(flavor.ram << 20)),
    ]
}

/// What a running server of a flavor counts against.
pub fn online_resources(flavor: &Flavor) -> [(&'static str, i64); 2] {
    [
        ("cyclades.cpu", as_i64(flavor.cpu)),
        ("cyclades.ram", as_i64(flavor.ram << 20)),
    ]
}

/// A quota quantity.
pub fn as_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Whether `action` may be issued on server `id` now (Synnefo's rules).
pub fn validate(cloud: &Cloud, id: u64, action: &str) -> ApiResult<()> {
    let server = cloud
        .compute
        .servers
        .get(&id)
        .ok_or_else(|| ApiError::item_not_found("Server not found."))?;
    if server.deleted {
        return Err(ApiError::bad_request(format!(
            "Server '{id}' has been deleted."
        )));
    }
    if matches!(action, "DESTROY" | "ADDTAGS" | "DELETETAGS" | "REPLACETAGS") {
        return Ok(());
    }
    if let Some(task) = &server.task {
        if task.action == Action::Build {
            return Err(ApiError::build_in_progress(format!(
                "Server '{id}' is being built."
            )));
        }
        return Err(ApiError::bad_request(format!(
            "Cannot perform '{action}' action while there is a pending '{}'.",
            task.action.name()
        )));
    }
    if action == "REASSIGN" {
        return Ok(());
    }
    let oper = server.oper;
    let wrong_state = match action {
        "START" => oper != OperState::Stopped,
        "STOP" => oper != OperState::Started,
        "RESIZE" | "RESCUE" | "UNRESCUE" => oper != OperState::Stopped,
        _ => false,
    };
    match oper {
        OperState::Error => Err(ApiError::bad_request(format!(
            "Cannot perform '{action}' action while server is in 'ERROR' state."
        ))),
        OperState::Build => Err(ApiError::build_in_progress(format!(
            "Server '{id}' is being built."
        ))),
        _ if wrong_state => Err(ApiError::bad_request(format!(
            "Cannot perform '{action}' action while server is in '{}' state.",
            match oper {
                OperState::Started => "STARTED",
                OperState::Stopped => "STOPPED",
                _ => "BUILD",
            }
        ))),
        _ if action == "RESCUE" && server.rescue => Err(ApiError::bad_request(format!(
            "Cannot perform '{action}' action while server is in rescue mode."
        ))),
        _ if action == "UNRESCUE" && !server.rescue => Err(ApiError::bad_request(format!(
            "Cannot perform '{action}' action while server is not in rescue mode."
        ))),
        _ => Ok(()),
    }
}

/// Records `action` as in progress on server `id`.
pub fn issue(cloud: &mut Cloud, id: u64, action: Action) {
    let (due, due_at) = cloud.due();
    let wall = cloud.wall;
    if let Some(server) = cloud.compute.servers.get_mut(&id) {
        server.task = Some(Task {
            action,
            due,
            due_at,
        });
        server.updated = wall;
    }
}

/// Validates and issues `action`, for actions with no quota effect.
pub fn command(cloud: &mut Cloud, id: u64, action: Action) -> ApiResult<()> {
    validate(cloud, id, action.name())?;
    issue(cloud, id, action);
    Ok(())
}

fn charged_flavor(cloud: &Cloud, id: u64) -> ApiResult<(Flavor, String, String, bool)> {
    let server = cloud
        .compute
        .servers
        .get(&id)
        .ok_or_else(|| ApiError::item_not_found("Server not found."))?;
    let flavor = cloud
        .compute
        .flavors
        .get(&server.charged_flavor)
        .cloned()
        .ok_or_else(|| ApiError::internal("Server flavor is missing"))?;
    Ok((
        flavor,
        server.user.clone(),
        server.project.clone(),
        server.online_charged,
    ))
}

fn set_online(cloud: &mut Cloud, id: u64, online: bool) {
    if let Some(server) = cloud.compute.servers.get_mut(&id) {
        server.online_charged = online;
    }
}

/// Starts a stopped server (charges its running resources).
pub fn start(cloud: &mut Cloud, id: u64) -> ApiResult<()> {
    validate(cloud, id, "START")?;
    let (flavor, user, project, online) = charged_flavor(cloud, id)?;
    if !online {
        cloud.charge(&user, &project, &online_resources(&flavor))?;
        set_online(cloud, id, true);
    }
    issue(cloud, id, Action::Start);
    Ok(())
}

/// Shuts a running server down (releases its running resources).
pub fn stop(cloud: &mut Cloud, id: u64) -> ApiResult<()> {
    validate(cloud, id, "STOP")?;
    let (flavor, user, project, online) = charged_flavor(cloud, id)?;
    if online {
        cloud.release(&user, &project, &online_resources(&flavor));
        set_online(cloud, id, false);
    }
    issue(cloud, id, Action::Stop);
    Ok(())
}

/// Reboots a server (a stopped one starts, and is charged as running).
pub fn reboot(cloud: &mut Cloud, id: u64) -> ApiResult<()> {
    validate(cloud, id, "REBOOT")?;
    let (flavor, user, project, online) = charged_flavor(cloud, id)?;
    if !online {
        cloud.charge(&user, &project, &online_resources(&flavor))?;
        set_online(cloud, id, true);
    }
    issue(cloud, id, Action::Reboot);
    Ok(())
}

/// Resizes a stopped server to `new` (same disk, same volume type).
pub fn resize(cloud: &mut Cloud, id: u64, new: &Flavor) -> ApiResult<()> {
    let (old, user, project, online) = charged_flavor(cloud, id)?;
    validate(cloud, id, "RESIZE")?;
    if old.id == new.id {
        return Err(ApiError::bad_request(format!(
            "Server '{id}' flavor is already '{}'.",
            new.name
        )));
    }
    if old.disk != new.disk {
        return Err(ApiError::bad_request("Cannot change instance's disk size."));
    }
    if old.volume_type != new.volume_type {
        return Err(ApiError::bad_request(
            "Cannot change instance's volume type.",
        ));
    }
    let cpu = as_i64(new.cpu) - as_i64(old.cpu);
    let ram = as_i64(new.ram << 20) - as_i64(old.ram << 20);
    let mut deltas = vec![("cyclades.total_cpu", cpu), ("cyclades.total_ram", ram)];
    if online {
        deltas.extend([("cyclades.cpu", cpu), ("cyclades.ram", ram)]);
    }
    cloud.charge(&user, &project, &deltas)?;
    if let Some(server) = cloud.compute.servers.get_mut(&id) {
        server.charged_flavor = new.id;
    }
    issue(cloud, id, Action::Resize { flavor: new.id });
    Ok(())
}

/// Deletes a server: its resources are released now, the server, its
/// ports and its volumes go when the action completes.
pub fn destroy(cloud: &mut Cloud, id: u64) -> ApiResult<()> {
    validate(cloud, id, "DESTROY")?;
    let (flavor, user, project, online) = charged_flavor(cloud, id)?;
    cloud.release(&user, &project, &offline_resources(&flavor));
    if online {
        cloud.release(&user, &project, &online_resources(&flavor));
        set_online(cloud, id, false);
    }
    let volumes: Vec<(String, String, u64)> = cloud
        .volume
        .volumes
        .values()
        .filter(|v| v.machine == Some(id) && !v.deleted && v.status != VolumeStatus::Deleting)
        .map(|v| (v.user.clone(), v.project.clone(), v.size))
        .collect();
    for (user, project, size) in volumes {
        cloud.release(&user, &project, &[("cyclades.disk", as_i64(size << 30))]);
    }
    issue(cloud, id, Action::Destroy);
    Ok(())
}

/// Moves a server (and its root volume) to another project.
pub fn reassign(cloud: &mut Cloud, id: u64, project: &str) -> ApiResult<()> {
    validate(cloud, id, "REASSIGN")?;
    let (flavor, user, old_project, online) = charged_flavor(cloud, id)?;
    if old_project == project {
        return Ok(());
    }
    let root: Option<(u64, u64)> = cloud
        .volume
        .volumes
        .values()
        .find(|v| v.machine == Some(id) && v.index == Some(0) && !v.deleted)
        .map(|v| (v.id, v.size));
    let mut deltas: Vec<(&str, i64)> = offline_resources(&flavor).to_vec();
    if online {
        deltas.extend(online_resources(&flavor));
    }
    if let Some((_, size)) = root {
        deltas.push(("cyclades.disk", as_i64(size << 30)));
    }
    cloud.charge(&user, project, &deltas)?;
    cloud.release(&user, &old_project, &deltas);
    let wall = cloud.wall;
    if let Some(server) = cloud.compute.servers.get_mut(&id) {
        server.project = project.to_string();
        server.updated = wall;
    }
    if let Some(volume) = root.and_then(|(vid, _)| cloud.volume.volumes.get_mut(&vid)) {
        volume.project = project.to_string();
        volume.updated = wall;
    }
    Ok(())
}

/// Completes every action whose delay has passed, oldest first.
pub fn settle(cloud: &mut Cloud) {
    let now = cloud.now;
    let mut due: Vec<(Instant, u64)> = cloud
        .compute
        .servers
        .values()
        .filter_map(|s| {
            s.task
                .as_ref()
                .filter(|t| t.due <= now)
                .map(|t| (t.due, s.id))
        })
        .collect();
    due.sort();
    for (_, id) in due {
        let task = cloud
            .compute
            .servers
            .get_mut(&id)
            .and_then(|s| s.task.take());
        if let Some(task) = task {
            complete(cloud, id, task.action, task.due_at);
        }
    }
}

fn diagnostic(at: OffsetDateTime, source: &str, message: &str) -> serde_json::Value {
    json!({
        "level": "DEBUG",
        "created": clock::iso(at),
        "source": source,
        "source_date": clock::iso(at),
        "message": message,
        "details": null,
    })
}

fn set_volume(
    cloud: &mut Cloud,
    volume: u64,
    at: OffsetDateTime,
    change: impl FnOnce(&mut Volume),
) {
    if let Some(v) = cloud.volume.volumes.get_mut(&volume) {
        change(v);
        v.updated = at;
    }
}

/// What an action leaves behind.
fn complete(cloud: &mut Cloud, id: u64, action: Action, at: OffsetDateTime) {
    match &action {
        Action::Build => {
            let ids: Vec<u64> = cloud
                .volume
                .volumes
                .values()
                .filter(|v| v.machine == Some(id) && !v.deleted)
                .filter(|v| matches!(v.status, VolumeStatus::Creating | VolumeStatus::Attaching))
                .map(|v| v.id)
                .collect();
            for volume in ids {
                set_volume(cloud, volume, at, |v| v.status = VolumeStatus::InUse);
            }
        }
        Action::Destroy => {
            let ports: Vec<u64> = cloud
                .network
                .ports
                .values()
                .filter(|p| p.machine == Some(id))
                .map(|p| p.id)
                .collect();
            for port in ports {
                remove_port(cloud, port, at);
            }
            let volumes: Vec<u64> = cloud
                .volume
                .volumes
                .values()
                .filter(|v| v.machine == Some(id) && !v.deleted)
                .map(|v| v.id)
                .collect();
            for volume in volumes {
                set_volume(cloud, volume, at, |v| {
                    if v.delete_on_termination {
                        v.status = VolumeStatus::Deleted;
                        v.deleted = true;
                    } else {
                        v.status = VolumeStatus::Available;
                        v.machine = None;
                        v.index = None;
                    }
                });
            }
        }
        Action::Disconnect { port } => remove_port(cloud, *port, at),
        Action::AttachVolume { volume } => {
            set_volume(cloud, *volume, at, |v| v.status = VolumeStatus::InUse)
        }
        Action::DetachVolume { volume } => set_volume(cloud, *volume, at, |v| {
            v.status = VolumeStatus::Available;
            v.machine = None;
            v.index = None;
        }),
        Action::DeleteVolume { volume } => set_volume(cloud, *volume, at, |v| {
            v.status = VolumeStatus::Deleted;
            v.deleted = true;
        }),
        _ => {}
    }
    let Some(server) = cloud.compute.servers.get_mut(&id) else {
        return;
    };
    server.updated = at;
    match action {
        Action::Build => {
            server.oper = OperState::Started;
            server.diagnostics.push(diagnostic(
                at,
                "image-helper-task-start",
                "Starting customization VM...",
            ));
            server.diagnostics.push(diagnostic(
                at,
                "image-info",
                "Image customization finished successfully.",
            ));
        }
        Action::Start | Action::Reboot => server.oper = OperState::Started,
        Action::Stop => server.oper = OperState::Stopped,
        Action::Resize { flavor } => server.flavor = flavor,
        Action::Destroy => server.deleted = true,
        Action::Rescue => server.rescue = true,
        Action::Unrescue => server.rescue = false,
        _ => {}
    }
}
