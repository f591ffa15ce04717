//! Volumes on servers: the volumes a server is built with, attaching and
//! detaching (which volume types may move, how many a server holds), as
//! Cyclades' `volumes` logic allows them.

use super::*;

/// Uses an existing (available) volume as disk `index` of a server being
/// built.
pub fn attach_at_build(
    cloud: &mut Cloud,
    user: &User,
    text: &str,
    volume_type: u64,
    server: u64,
    index: u32,
    delete_on_termination: bool,
) -> ApiResult<()> {
    let id = find_live(cloud, &user.uuid, text, true)?;
    let now = cloud.wall;
    let volume = cloud
        .volume
        .volumes
        .get_mut(&id)
        .ok_or_else(|| ApiError::bad_request(format!("Volume {id} not found")))?;
    if volume.volume_type != volume_type {
        return Err(ApiError::bad_request(format!(
            "Volume '{id}' has type '{}' while flavor's volume type is '{volume_type}'",
            volume.volume_type
        )));
    }
    if volume.status != VolumeStatus::Available {
        return Err(ApiError::bad_request(format!(
            "Cannot use volume while it is in {} status",
            volume.status.name()
        )));
    }
    volume.machine = Some(server);
    volume.index = Some(index);
    volume.status = VolumeStatus::Attaching;
    volume.delete_on_termination = delete_on_termination;
    volume.updated = now;
    Ok(())
}

/// Checks that a volume is attached to a server.
pub fn check_attachment(cloud: &Cloud, server: u64, volume: u64) -> ApiResult<()> {
    if cloud.volume.volumes.get(&volume).and_then(|v| v.machine) != Some(server) {
        return Err(ApiError::bad_request(format!(
            "Volume '{volume}' is not attached to server '{server}'"
        )));
    }
    Ok(())
}

pub(super) fn volume_type_of(cloud: &Cloud, volume: u64) -> ApiResult<VolumeType> {
    let vtype = cloud.volume.volumes[&volume].volume_type;
    cloud
        .volume
        .types
        .get(&vtype)
        .cloned()
        .ok_or_else(|| ApiError::internal("Volume type is missing"))
}

pub(super) fn server_volume_type(cloud: &Cloud, server: u64) -> ApiResult<VolumeType> {
    cloud
        .compute
        .servers
        .get(&server)
        .and_then(|s| cloud.compute.flavors.get(&s.flavor))
        .and_then(|f| cloud.volume.types.get(&f.volume_type))
        .cloned()
        .ok_or_else(|| ApiError::internal("Server flavor is missing"))
}

/// Attaches a volume (`available`, or `creating` for a new one) to a
/// server: the server's `ATTACH_VOLUME` action.
pub fn attach(cloud: &mut Cloud, server: u64, volume: u64) -> ApiResult<()> {
    let status = cloud.volume.volumes[&volume].status;
    let vtype = volume_type_of(cloud, volume)?;
    match status {
        VolumeStatus::Available if !vtype.detachable() => {
            return Err(ApiError::bad_request(format!(
                "Volume type '{}' is not detachable",
                vtype.name
            )))
        }
        VolumeStatus::Available | VolumeStatus::Creating => {}
        other => {
            return Err(ApiError::bad_request(format!(
                "Cannot attach volume while volume is in '{}' status.",
                other.name()
            )))
        }
    }
    let server_type = server_volume_type(cloud, server)?;
    if vtype.template() != server_type.template() {
        return Err(ApiError::bad_request(format!(
            "Volume and server must have the same volume template. Volume has volume template'{}' while server has '{}'",
            vtype.template(),
            server_type.template()
        )));
    }
    let attached: Vec<u32> = cloud
        .volume
        .volumes
        .values()
        .filter(|v| v.machine == Some(server) && !v.deleted)
        .filter_map(|v| v.index)
        .collect();
    if attached.len() >= MAX_PER_SERVER {
        return Err(ApiError::bad_request(
            "Maximum volumes per server limit reached",
        ));
    }
    lifecycle::validate(cloud, server, "ATTACH_VOLUME")?;
    let index = attached.iter().max().map_or(0, |m| m + 1);
    let now = cloud.wall;
    if let Some(v) = cloud.volume.volumes.get_mut(&volume) {
        v.machine = Some(server);
        v.index = Some(index);
        if v.status == VolumeStatus::Available {
            v.status = VolumeStatus::Attaching;
        }
        v.updated = now;
    }
    lifecycle::issue(cloud, server, Action::AttachVolume { volume });
    Ok(())
}

/// Detaches an `in_use` volume (not a root volume) from its server: the
/// server's `DETACH_VOLUME` action.
pub fn detach(cloud: &mut Cloud, server: u64, volume: u64) -> ApiResult<()> {
    let vtype = volume_type_of(cloud, volume)?;
    if !vtype.detachable() {
        return Err(ApiError::bad_request(format!(
            "Volume type '{}' is not detachable",
            vtype.name
        )));
    }
    check_attachment(cloud, server, volume)?;
    let v = &cloud.volume.volumes[&volume];
    if !matches!(v.status, VolumeStatus::InUse | VolumeStatus::Error) {
        return Err(ApiError::bad_request(format!(
            "Cannot detach volume while volume is in '{}' status.",
            v.status.name()
        )));
    }
    if v.index == Some(0) {
        return Err(ApiError::bad_request(format!(
            "Cannot detach the root volume of server {server}."
        )));
    }
    lifecycle::validate(cloud, server, "DETACH_VOLUME")?;
    let now = cloud.wall;
    if let Some(v) = cloud.volume.volumes.get_mut(&volume) {
        v.status = VolumeStatus::Detaching;
        v.updated = now;
    }
    lifecycle::issue(cloud, server, Action::DetachVolume { volume });
    Ok(())
}
