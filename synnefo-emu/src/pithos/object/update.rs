//! `POST` to an object: metadata, permissions and publishing, or a
//! partial update of its data (a `Content-Range` from the body or from
//! another object), block by block.

use super::*;

/// Writes `data` at `offset` into a hashmap, block by block (Synnefo's
/// `put_object_block` loop): blocks partly covered are merged with the
/// stored block. Returns where the data ended.
pub(super) fn write_at(
    ctx: &Ctx,
    hashes: &mut Vec<Hash>,
    mut offset: u64,
    data: &[u8],
) -> Result<u64, ApiError> {
    let store = &ctx.pithos().store;
    let bs = BLOCK_SIZE as u64;
    let mut data = data;
    while !data.is_empty() {
        let index = usize::try_from(offset / bs).unwrap_or(usize::MAX);
        let within = usize::try_from(offset % bs).unwrap_or(0);
        let take = data.len().min(BLOCK_SIZE - within);
        let piece = &data[..take];
        let mut block = vec![0u8; BLOCK_SIZE];
        if let Some(old) = hashes.get(index).and_then(|h| store.get(h)) {
            let n = old.len().min(BLOCK_SIZE);
            block[..n].copy_from_slice(&old[..n]);
        }
        block[within..within + take].copy_from_slice(piece);
        let hash = store
            .put(bytes::Bytes::from(block))
            .map_err(crate::pithos::store::write_failed)?;
        if index < hashes.len() {
            hashes[index] = hash;
        } else {
            hashes.push(hash);
        }
        offset += take as u64;
        data = &data[take..];
    }
    Ok(offset)
}

/// The data of a version, padded blocks concatenated, cut to `length`.
pub(super) fn version_data(ctx: &Ctx, v: &Version, length: u64) -> Vec<u8> {
    let store = &ctx.pithos().store;
    let length = usize::try_from(length).unwrap_or(usize::MAX);
    let mut out = Vec::with_capacity(length.min(1 << 30));
    for h in v.hashes().iter() {
        if out.len() >= length {
            break;
        }
        let mut block = store.get(h).map(|b| b.to_vec()).unwrap_or_default();
        block.resize(BLOCK_SIZE, 0);
        out.extend_from_slice(&block);
    }
    out.truncate(length);
    out
}

/// What a `POST` to an object asks, read from its headers.
struct PostRequest {
    meta: BTreeMap<String, String>,
    permissions: Option<Sharing>,
    public: Option<bool>,
    /// Metadata replace the old (no `update` parameter) or merge with it.
    replace: bool,
    src_object: Option<String>,
}

/// Where the new data of a partial update comes from.
enum Source {
    /// Another object's version.
    Object(Version),
    /// The request body, of this length if known.
    Body(Option<u64>),
}

fn range_not_satisfiable(message: &str) -> ApiError {
    ApiError::new("rangeNotSatisfiable", 416, message)
}

/// `POST /<account>/<container>/<object>`: metadata, permissions, public;
/// with `application/octet-stream` data or `X-Source-Object`, a partial
/// update of the data (`Content-Range`, `X-Object-Bytes`).
pub async fn post(ctx: &Ctx, at: &At<'_>, body: &mut Option<Body>) -> PithosResult {
    let content_type = ctx.headers.content_type().map(str::to_string);
    let request = PostRequest {
        meta: ctx.headers.object_meta()?,
        permissions: ctx.headers.sharing()?,
        public: ctx.headers.public()?,
        replace: !ctx.query.has("update"),
        src_object: ctx.headers.non_empty("x-source-object").map(str::to_string),
    };
    let prev = {
        let model = ctx.pithos().read();
        readable_version(&model, ctx.uuid(), at, None)?.0
    };
    if ctx.headers.non_empty("if-match").is_some()
        || ctx.headers.non_empty("if-none-match").is_some()
    {
        check_match(ctx, version_etag(ctx, &prev).as_deref())?;
    }
    if content_type.as_deref() != Some("application/octet-stream") && request.src_object.is_none() {
        return update_metadata(ctx, at, request);
    }
    update_data(ctx, at, body, request, prev).await
}

/// A `POST` that changes no data: permissions, publishing, metadata (a new
/// version with the same data).
fn update_metadata(ctx: &Ctx, at: &At<'_>, request: PostRequest) -> PithosResult {
    let user = ctx.uuid();
    let mut reply = Reply::empty(StatusCode::ACCEPTED);
    let mut model = ctx.pithos().write();
    if let Some(sharing) = request.permissions {
        if user != at.account {
            return Err(ApiError::forbidden(
                "Modifying other account's object permissions is not allowed",
            ));
        }
        model
            .container(at.account, at.container)
            .and_then(|c| c.objects.get(at.name))
            .ok_or_else(no_object)?;
        model.set_sharing(&at.path(), sharing);
    }
    if let Some(public) = request.public {
        update_public(&mut model, user, at, public)?;
    }
    if !request.meta.is_empty() || request.replace {
        model.can_write_object(user, at.account, at.container, at.name)?;
        let current = model
            .container(at.account, at.container)
            .and_then(|c| c.current(at.name))
            .cloned()
            .ok_or_else(no_object)?;
        let merged = merge_meta(Some(&current.meta), &request.meta, request.replace);
        if merged.len() > MAX_METADATA {
            return Err(too_much_metadata());
        }
        let (serial, _) = model.put_version(
            user,
            at.account,
            at.container,
            at.name,
            None,
            None,
            true,
            merged,
        );
        reply.headers.set("X-Object-Version", serial.to_string());
    }
    Ok(reply)
}

/// A partial update of an object's data: the range is checked against the
/// current version, the new data written over its blocks, the result
/// committed as a new version.
async fn update_data(
    ctx: &Ctx,
    at: &At<'_>,
    body: &mut Option<Body>,
    request: PostRequest,
    prev: Version,
) -> PithosResult {
    let user = ctx.uuid();
    if ctx.headers.get("content-range").is_none() {
        return Err(ApiError::bad_request("Missing Content-Range header"));
    }
    let (offset, length, total) = ctx
        .headers
        .get("content-range")
        .and_then(parse_content_range)
        .ok_or_else(|| range_not_satisfiable("Invalid Content-Range header"))?;
    let size = prev.size;
    let mut hashes: Vec<Hash> = prev.hashes().to_vec();
    if size == 0 {
        hashes.clear();
    }
    let offset = match offset {
        None => size,
        Some(o) if o > size => {
            return Err(range_not_satisfiable(
                "Supplied offset is beyond object limits",
            ))
        }
        Some(o) => o,
    };
    let (source, length) = update_source(ctx, request.src_object.as_deref(), length)?;
    if let Some(total) = total {
        let l = length.unwrap_or(0);
        if total != size || offset >= size || (l > 0 && offset.saturating_add(l) > size) {
            return Err(range_not_satisfiable(
                "Supplied range will change provided object limits",
            ));
        }
    }
    let dest_bytes = match ctx.headers.get("x-object-bytes") {
        None => None,
        Some(v) => Some(
            int_parameter(v)
                .ok_or_else(|| ApiError::bad_request("Invalid X-Object-Bytes header"))?,
        ),
    };
    {
        let model = ctx.pithos().read();
        check_writable(&model, user, at, request.permissions.is_some())?;
    }
    let end = match source {
        Source::Object(v) => copy_range(ctx, &mut hashes, &v, offset, length.unwrap_or(0))?,
        Source::Body(length) => {
            let data = read_all(
                crate::pithos::body::take(body),
                length,
                ctx.pithos().max_upload_size(),
            )
            .await?;
            if data.is_empty() {
                offset
            } else {
                write_at(ctx, &mut hashes, offset, &data)?
            }
        }
    };
    let new_size = resize(&mut hashes, size.max(end), dest_bytes)?;
    let hashes = super::flushed(ctx, hashes).await?;
    commit_update(ctx, at, request, &prev, hashes, new_size)
}

/// The source of a partial update's data, and its length: another object
/// (`X-Source-Object`, whose size bounds the range) or the body (whose
/// `Content-Length` must match the range's).
fn update_source(
    ctx: &Ctx,
    src_object: Option<&str>,
    length: Option<u64>,
) -> Result<(Source, Option<u64>), ApiError> {
    let user = ctx.uuid();
    match src_object {
        Some(src_path) => {
            let src_account = ctx.headers.non_empty("x-source-account").unwrap_or(user);
            let (sc, sn) = split_container_object(src_path)
                .ok_or_else(|| ApiError::bad_request("Invalid source object"))?;
            let src_version = ctx.headers.non_empty("x-source-version");
            let model = ctx.pithos().read();
            let src = At {
                account: src_account,
                container: &sc,
                name: &sn,
            };
            let (v, _) = readable_version(&model, user, &src, src_version)?;
            let length = match length {
                None => v.size,
                Some(l) if l > v.size => {
                    return Err(ApiError::bad_request(
                        "Object length is smaller than range length",
                    ))
                }
                Some(l) => l,
            };
            Ok((Source::Object(v), Some(length)))
        }
        None => {
            let content_length = if ctx.headers.chunked() {
                None
            } else {
                Some(ctx.headers.content_length()?)
            };
            let length = match (length, content_length) {
                (None, cl) => cl,
                (Some(_), None) => None,
                (Some(l), Some(cl)) if l != cl => {
                    return Err(ApiError::bad_request(
                        "Content length does not match range length",
                    ))
                }
                (Some(l), Some(_)) => Some(l),
            };
            Ok((Source::Body(length), length))
        }
    }
}

/// Writes `length` bytes of another object's version at `offset`: at a
/// block boundary its blocks are reused (whole ones by hash), elsewhere its
/// data is written over. Returns where the data ended.
fn copy_range(
    ctx: &Ctx,
    hashes: &mut Vec<Hash>,
    v: &Version,
    offset: u64,
    length: u64,
) -> Result<u64, ApiError> {
    let bs = BLOCK_SIZE as u64;
    if !offset.is_multiple_of(bs) {
        let data = version_data(ctx, v, length);
        return write_at(ctx, hashes, offset, &data);
    }
    let mut left = length;
    let mut at_offset = offset;
    let mut index = 0usize;
    while left > 0 {
        let bi = usize::try_from(at_offset / bs).unwrap_or(usize::MAX);
        let bl = left.min(bs);
        let src_hash = v.hashes().get(index).copied().unwrap_or_else(empty_hash);
        if bi < hashes.len() {
            if bl == bs {
                hashes[bi] = src_hash;
            } else {
                let store = &ctx.pithos().store;
                let mut block = store.get(&src_hash).map(|b| b.to_vec()).unwrap_or_default();
                block.resize(BLOCK_SIZE, 0);
                let bl = usize::try_from(bl).unwrap_or(BLOCK_SIZE);
                write_at(ctx, hashes, at_offset, &block[..bl])?;
            }
        } else {
            hashes.push(src_hash);
        }
        at_offset += bl;
        left -= bl;
        index += 1;
    }
    Ok(at_offset)
}

/// Cuts the hashmap to `X-Object-Bytes` when that is smaller, and checks
/// that it covers the new size; returns the new size.
fn resize(hashes: &mut Vec<Hash>, size: u64, dest_bytes: Option<u64>) -> Result<u64, ApiError> {
    let bs = BLOCK_SIZE as u64;
    let mut new_size = size;
    if let Some(b) = dest_bytes {
        if b < new_size {
            new_size = b;
            let blocks = usize::try_from(new_size.div_ceil(bs)).unwrap_or(usize::MAX);
            hashes.truncate(blocks);
        }
    }
    if new_size == 0 {
        *hashes = vec![empty_hash()];
    }
    let blocks = new_size.div_ceil(bs).max(1);
    if hashes.len() as u64 != blocks {
        return Err(ApiError::bad_request(
            "The object's size does not match with the object's hashmap length",
        ));
    }
    Ok(new_size)
}

/// Commits the updated hashmap as a new version (same uuid, the previous
/// content type) with the request's metadata, permissions and publishing.
fn commit_update(
    ctx: &Ctx,
    at: &At<'_>,
    request: PostRequest,
    prev: &Version,
    hashes: Vec<Hash>,
    new_size: u64,
) -> PithosResult {
    let user = ctx.uuid();
    let mut model = ctx.pithos().write();
    let checksum = if ctx.pithos().update_md5() {
        hashmap_md5(ctx, &hashes, new_size)
    } else {
        String::new()
    };
    let data = NewData {
        size: new_size,
        content: Content::of(&hashes),
        content_type: Some(prev.content_type.to_string()),
        checksum: Some(checksum),
        is_snapshot: false,
    };
    let etag = data_etag(ctx, &data);
    let serial = commit(
        &ctx.state.quotas,
        user,
        &mut model,
        at,
        Commit {
            data: Some(data),
            source: None,
            keep_uuid: true,
            meta: &request.meta,
            replace_meta: request.replace,
            permissions: request.permissions,
        },
    )?;
    if let Some(public) = request.public {
        update_public(&mut model, user, at, public)?;
    }
    Ok(Reply::empty(StatusCode::NO_CONTENT)
        .header("ETag", etag)
        .header("X-Object-Version", serial.to_string()))
}
