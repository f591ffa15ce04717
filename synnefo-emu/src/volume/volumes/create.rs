//! Creating a volume: the request read and checked, the source (an image,
//! a snapshot, another volume or nothing) resolved, the quota charged.

use super::*;

/// Creates a volume (status `creating`) as Synnefo's `_create_volume`.
#[allow(clippy::too_many_arguments)]
pub fn new_volume(
    cloud: &mut Cloud,
    user: &str,
    project: &str,
    size: Option<u64>,
    source: Source,
    volume_type: u64,
    name: Option<String>,
    description: String,
    index: Option<u32>,
) -> ApiResult<u64> {
    if let Some(name) = &name {
        json::check_length(name, NAME_LENGTH, "Volume name is too long")?;
    }
    json::check_length(
        &description,
        DESCRIPTION_LENGTH,
        "Volume description is too long",
    )?;
    let size = size.ok_or_else(|| ApiError::bad_request("Volume size is required"))?;
    if size < 1 {
        return Err(ApiError::bad_request(
            "Volume size must be a positive integer",
        ));
    }
    if size > MAX_SIZE {
        return Err(ApiError::bad_request(format!(
            "Maximum volume size is {MAX_SIZE}GB"
        )));
    }
    let vtype = cloud
        .volume
        .types
        .get(&volume_type)
        .cloned()
        .ok_or_else(|| ApiError::bad_request(format!("Volume type {volume_type} not found")))?;
    if source != Source::Blank && index != Some(0) && !vtype.can_clone() {
        return Err(ApiError::bad_request(format!(
            "Cannot specify a 'source' attribute for volume type '{}' with disk template '{}'",
            vtype.id, vtype.disk_template
        )));
    }
    let (source_image, source_snapshot) = match &source {
        Source::Blank => (None, None),
        Source::Image(id) => {
            let image = cloud
                .state
                .image
                .visible_image(&cloud.state.pithos, user, id)
                .ok_or_else(|| ApiError::bad_request(format!("Image {id} not found")))?;
            if !image.status.eq_ignore_ascii_case("AVAILABLE") {
                return Err(ApiError::bad_request(format!(
                    "Cannot create volume from image, while image is in '{}' status",
                    image.status.to_uppercase()
                )));
            }
            if size << 30 < image.size {
                return Err(ApiError::bad_request(format!(
                    "Volume size '{}' is smaller than image's size '{}'",
                    size << 30,
                    image.size
                )));
            }
            (Some(id.clone()), None)
        }
        Source::Snapshot(id) => {
            let snapshot = crate::volume::snapshots::find(cloud, user, id, true)?;
            let status = crate::volume::snapshots::status(cloud, snapshot);
            if status != "AVAILABLE" {
                return Err(ApiError::bad_request(format!(
                    "Cannot create volume from snapshot, while snapshot is in '{status}' status"
                )));
            }
            if size << 30 < snapshot.size {
                return Err(ApiError::bad_request(format!(
                    "Volume size '{}' is smaller than snapshot's size '{}'",
                    size << 30,
                    snapshot.size
                )));
            }
            (None, Some(id.clone()))
        }
    };
    let id = cloud.volume.new_volume_id();
    let now = cloud.wall;
    cloud.volume.volumes.insert(
        id,
        Volume {
            id,
            name,
            description,
            size,
            user: user.to_string(),
            project: project.to_string(),
            volume_type,
            status: VolumeStatus::Creating,
            machine: None,
            index,
            delete_on_termination: true,
            source_image,
            source_snapshot,
            metadata: BTreeMap::new(),
            snapshot_counter: 0,
            created: now,
            updated: now,
            deleted: false,
        },
    );
    Ok(id)
}

pub(super) struct CreateRequest {
    pub(super) name: String,
    pub(super) size: u64,
    pub(super) project: Option<String>,
    pub(super) volume_type: Option<String>,
    pub(super) description: String,
    pub(super) metadata: Vec<(String, String)>,
    pub(super) source_volume: Option<String>,
    pub(super) snapshot: Option<String>,
    pub(super) image: Option<String>,
    pub(super) server: Option<String>,
}

pub(super) fn parse_create(request: &Value) -> ApiResult<CreateRequest> {
    let volume = json::req_object(request, "volume")?;
    let name = json::req_str(volume, "display_name")?.to_string();
    let size_text = json::opt_str_or_int(volume, "size")?
        .ok_or_else(|| ApiError::bad_request("Malformed request. Missing attribute 'size'."))?;
    let size = size_text
        .trim()
        .parse::<u64>()
        .ok()
        .filter(|s| *s > 0)
        .ok_or_else(|| {
            ApiError::bad_request(format!(
                "Volume 'size' needs to be a positive integer value. '{size_text}' cannot be accepted."
            ))
        })?;
    let metadata = match json::opt_object(volume, "metadata")? {
        Some(m) => json::string_map(m, "metadata")?,
        None => Vec::new(),
    };
    if metadata.len() > MAX_METADATA {
        return Err(ApiError::bad_request(format!(
            "Volumes cannot have more than {MAX_METADATA} metadata items"
        )));
    }
    let text = |name: &str| json::get(volume, name).and_then(json::scalar_text);
    Ok(CreateRequest {
        name,
        size,
        project: json::opt_str(volume, "project")?.map(str::to_string),
        volume_type: json::opt_str_or_int(volume, "volume_type")?,
        description: json::opt_str(volume, "display_description")?
            .unwrap_or_default()
            .to_string(),
        metadata,
        source_volume: text("source_volid"),
        snapshot: text("snapshot_id"),
        image: text("imageRef"),
        server: text("server_id"),
    })
}

pub(super) fn create_volume(cloud: &mut Cloud, user: &User, req: CreateRequest) -> ApiResult<u64> {
    let server = match &req.server {
        Some(text) => {
            let server = crate::cyclades::model::compute::find(cloud, user, text).map_err(|e| {
                match e.code {
                    404 => ApiError::bad_request(format!("Server {text} not found")),
                    _ => e,
                }
            })?;
            if server.deleted {
                return Err(ApiError::bad_request("Server has been deleted."));
            }
            Some(server.id)
        }
        None => None,
    };
    let vtype = match server {
        Some(server) => {
            let server_type = server_volume_type(cloud, server)?;
            match &req.volume_type {
                Some(text) => {
                    let vtype = types::find(cloud, Some(text), ApiError::bad_request)?;
                    if vtype.template() != server_type.template() {
                        return Err(ApiError::bad_request(format!(
                            "Cannot create a volume with template '{}' to a server with volume template '{}'.",
                            vtype.template(),
                            server_type.template()
                        )));
                    }
                    vtype
                }
                None => server_type,
            }
        }
        None => types::find(cloud, req.volume_type.as_deref(), ApiError::bad_request)?,
    };
    if server.is_none() && !vtype.detachable() {
        return Err(ApiError::bad_request(format!(
            "Volume type '{}' is not detachable",
            vtype.name
        )));
    }
    let sources = [&req.source_volume, &req.snapshot, &req.image]
        .iter()
        .filter(|s| s.is_some())
        .count();
    if sources > 1 {
        return Err(ApiError::bad_request(
            "Volume can not have more than one source!",
        ));
    }
    if req.source_volume.is_some() {
        return Err(ApiError::bad_request("Cloning a volume is not supported"));
    }
    let source = match (&req.snapshot, &req.image) {
        (Some(s), _) => Source::Snapshot(s.clone()),
        (_, Some(i)) => Source::Image(i.clone()),
        _ => Source::Blank,
    };
    let project = req
        .project
        .clone()
        .unwrap_or_else(|| user.default_project.clone());
    let id = new_volume(
        cloud,
        &user.uuid,
        &project,
        Some(req.size),
        source,
        vtype.id,
        Some(req.name.clone()),
        req.description.clone(),
        None,
    )?;
    if let Some(v) = cloud.volume.volumes.get_mut(&id) {
        v.metadata = req.metadata.iter().cloned().collect();
    }
    match server {
        Some(server) => attach(cloud, server, id)?,
        None => {
            if let Some(v) = cloud.volume.volumes.get_mut(&id) {
                v.status = VolumeStatus::Available;
            }
        }
    }
    cloud.charge(
        &user.uuid,
        &project,
        &[("cyclades.disk", as_i64(req.size << 30))],
    )?;
    Ok(id)
}

/// `POST /volumes`: 202 with the new volume's id, name and links.
pub async fn create(
    State(state): State<CycladesService>,
    Authenticated(user): Authenticated,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let request = parse_create(&json::body(&headers, &body)?)?;
    let mut cloud = Cloud::lock(&state);
    let id = cloud.atomic(|cloud| create_volume(cloud, &user, request))?;
    let volume = &cloud.volume.volumes[&id];
    Ok(reply(
        202,
        json!({ "volume": to_json(&cloud, volume, false) }),
    ))
}
