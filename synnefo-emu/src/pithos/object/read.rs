//! Reading objects: `HEAD`, `GET` of data (ranges, multiple ranges),
//! of the hashmap and of the version list, with Pithos' conditions; and
//! the public (unauthenticated) read of published objects.

use super::*;

/// Conditions of a read; `Some(reply)` for a `304` with the etag.
pub(super) fn read_conditions(ctx: &Ctx, meta: &ObjectMeta) -> Result<Option<Reply>, ApiError> {
    check_modified(&ctx.headers, meta.modified)?;
    match check_match(ctx, Some(&meta.etag())) {
        Ok(()) => Ok(None),
        Err(f) if f.code == 304 => Ok(Some(
            Reply::empty(StatusCode::NOT_MODIFIED).header("ETag", meta.etag()),
        )),
        Err(f) => Err(f),
    }
}

/// `HEAD /<account>/<container>/<object>`.
pub fn head(ctx: &Ctx, at: &At<'_>) -> PithosResult {
    let version = ctx.query.get("version");
    let model = ctx.pithos().read();
    let (meta, _) = object_meta(ctx, &model, at, version)?;
    if let Some(reply) = read_conditions(ctx, &meta)? {
        return Ok(reply);
    }
    let mut reply = Reply::empty(StatusCode::OK);
    meta.put_headers(&mut reply, false);
    Ok(reply)
}

pub(super) fn version_list(ctx: &Ctx, at: &At<'_>) -> PithosResult {
    let model = ctx.pithos().read();
    model.can_read_object(ctx.uuid(), at.account, at.container, at.name)?;
    let node = model
        .container(at.account, at.container)
        .and_then(|c| c.objects.get(at.name))
        .ok_or_else(no_object)?;
    let versions: Vec<(u64, String)> = node
        .versions
        .iter()
        .filter(|v| v.cluster != crate::pithos::model::Cluster::Deleted)
        .map(|v| (v.serial, decimal_timestamp(v.mtime)))
        .collect();
    let body = match ctx.format {
        Format::Xml => {
            let mut out = format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\n<object name=\"{}\">\n",
                xml_escape(at.name)
            );
            for (serial, ts) in &versions {
                out.push_str(&format!(
                    "  <version timestamp=\"{ts}\">{serial}</version>\n"
                ));
            }
            out.push_str("</object>\n");
            out
        }
        _ => {
            let list: Vec<Value> = versions.iter().map(|(s, t)| json!([s, t])).collect();
            json!({ "versions": list }).to_string()
        }
    };
    Ok(Reply::with_body(
        StatusCode::OK,
        ctx.format.content_type(),
        body,
    ))
}

/// Serves data (all, a range, or several ranges) of `segments`.
pub(super) fn data_reply(
    ctx: &Ctx,
    meta: &ObjectMeta,
    segments: Vec<Segment>,
    restricted: bool,
) -> PithosResult {
    let size: u64 = segments.iter().map(|s| s.size).sum();
    let mut status = StatusCode::OK;
    let mut ranges: Vec<(u64, u64)> = vec![(0, size)];
    if let Some(requested) = parse_range(ctx.headers.get("range"), size) {
        let s = i128::from(size);
        let bad = requested
            .iter()
            .any(|(o, l)| *l <= 0 || *l > s || *o < 0 || *o >= s || o + l > s);
        if bad {
            return Err(ApiError::new(
                "rangeNotSatisfiable",
                416,
                "Requested range exceeds object limits",
            ));
        }
        status = StatusCode::PARTIAL_CONTENT;
        ranges = requested
            .iter()
            .map(|(o, l)| {
                (
                    u64::try_from(*o).unwrap_or(0),
                    u64::try_from(*l).unwrap_or(0),
                )
            })
            .collect();
        if let Some(if_range) = ctx.headers.non_empty("if-range") {
            // A date never equals the (fractional) modification time, and an
            // etag is compared with the MD5 checksum: Synnefo serves it all.
            let same = match parse_http_date(if_range) {
                Some(date) => date as f64 == meta.modified,
                None => if_range == &*meta.version.checksum,
            };
            if !same {
                ranges = vec![(0, size)];
                status = StatusCode::OK;
            }
        }
    }
    let boundary = (status == StatusCode::PARTIAL_CONTENT && ranges.len() > 1)
        .then(|| uuid::Uuid::new_v4().simple().to_string());
    let mut reply = Reply::empty(status);
    meta.put_headers(&mut reply, restricted);
    meta.disposition(&mut reply, ctx.query.get("disposition-type"));
    reply.headers.set("Content-Length", size.to_string());
    if status == StatusCode::PARTIAL_CONTENT {
        if let [(offset, length)] = ranges.as_slice() {
            reply.headers.set("Content-Length", length.to_string());
            reply.headers.set(
                "Content-Range",
                format!("bytes {}-{}/{}", offset, offset + length - 1, size),
            );
        } else {
            reply.headers.remove("Content-Length");
            reply.headers.set(
                "Content-Type",
                format!(
                    "multipart/byteranges; boundary={}",
                    boundary.as_deref().unwrap_or("")
                ),
            );
        }
    }
    if ctx.method.as_str() != "HEAD" {
        let chunks = DataChunks::new(
            ctx.pithos().store.clone(),
            segments,
            BLOCK_SIZE,
            ranges,
            boundary,
        );
        reply.body = data_body(chunks);
    }
    Ok(reply)
}

/// `GET /<account>/<container>/<object>`: data, a hashmap, or versions.
pub fn get(ctx: &Ctx, at: &At<'_>) -> PithosResult {
    let version = ctx.query.get("version");
    if version == Some("list") {
        return version_list(ctx, at);
    }
    let model = ctx.pithos().read();
    let (meta, parts) = object_meta(ctx, &model, at, version)?;
    if let Some(reply) = read_conditions(ctx, &meta)? {
        return Ok(reply);
    }
    let hashmap_reply = ctx.query.has("hashmap");
    if hashmap_reply {
        let v = &meta.version;
        let hashes: Vec<String> = v.hashes().iter().map(to_hex).collect();
        let body = match ctx.format {
            Format::Xml => {
                let mut out = format!(
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\n<object name=\"{}\" bytes=\"{}\" block_size=\"{BLOCK_SIZE}\" block_hash=\"{HASH_ALGORITHM}\">\n",
                    xml_escape(at.name),
                    v.size
                );
                for h in &hashes {
                    out.push_str(&format!("  <hash>{h}</hash>\n"));
                }
                out.push_str("</object>\n");
                out
            }
            _ => json!({
                "block_size": BLOCK_SIZE,
                "block_hash": HASH_ALGORITHM,
                "bytes": v.size,
                "hashes": hashes,
            })
            .to_string(),
        };
        let mut reply = Reply::empty(StatusCode::OK);
        meta.put_headers(&mut reply, false);
        reply.headers.set("Content-Length", body.len().to_string());
        reply.body = body.into();
        return Ok(reply);
    }
    let segments = match (meta.version.meta.get("X-Object-Manifest"), parts) {
        (Some(_), Some(parts)) => parts,
        (Some(_), None) => return Err(ApiError::bad_request("Invalid X-Object-Manifest header")),
        (None, _) => vec![Segment {
            size: meta.version.size,
            content: meta.version.content.clone(),
        }],
    };
    drop(model);
    data_reply(ctx, &meta, segments, false)
}

/// Serves a public object (no token): `HEAD` or `GET`.
pub fn public_read(ctx: &Ctx, at: &At<'_>) -> PithosResult {
    let model = ctx.pithos().read();
    let (v, modified) = readable_version(&model, at.account, at, None)
        .map_err(|_| ApiError::item_not_found("Object does not exist"))?;
    let mut meta = ObjectMeta {
        bytes: v.size,
        version: v,
        name: at.name.to_string(),
        modified,
        sharing: None,
        shared_by: None,
        allowed_to: None,
        md5_etags: ctx.pithos().update_md5(),
        public: None,
    };
    let mut segments = vec![Segment {
        size: meta.version.size,
        content: meta.version.content.clone(),
    }];
    if let Some(manifest) = meta.version.meta.get("X-Object-Manifest") {
        let parts = manifest_parts(&model, at.account, at.account, manifest)
            .ok_or_else(|| ApiError::item_not_found("Object does not exist"))?;
        meta.bytes = parts.iter().map(|p| p.size).sum();
        segments = parts;
    }
    drop(model);
    if ctx.method.as_str() == "HEAD" {
        let mut reply = Reply::empty(StatusCode::OK);
        meta.put_headers(&mut reply, true);
        return Ok(reply);
    }
    if let Some(reply) = read_conditions(ctx, &meta)? {
        return Ok(reply);
    }
    data_reply(ctx, &meta, segments, true)
}
