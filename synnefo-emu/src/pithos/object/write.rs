//! Writing whole objects: `PUT` of data, of a hashmap or of a manifest,
//! and `DELETE`; every new version goes through [`commit`], which charges
//! the quota and records the version.

use super::*;

/// Everything a data write needs to commit.
pub(crate) struct Commit<'a> {
    pub data: Option<NewData>,
    pub source: Option<&'a Version>,
    pub keep_uuid: bool,
    pub meta: &'a BTreeMap<String, String>,
    pub replace_meta: bool,
    pub permissions: Option<Sharing>,
}

/// Makes a new version of `at` by `user` (the backend's
/// `_update_object_hash`): checks, container quota, the account's
/// `pithos.diskspace` in the container's project, permissions. The serial.
/// Every write of object data goes through here, the HTTP API's and other
/// services' ([`super::backend`]).
pub(crate) fn commit(
    quotas: &Quotas,
    user: &str,
    model: &mut Model,
    at: &At<'_>,
    c: Commit<'_>,
) -> Result<u64, ApiError> {
    check_writable(model, user, at, c.permissions.is_some())?;
    let cont = model
        .container(at.account, at.container)
        .ok_or_else(no_container)?;
    let current = cont.current(at.name);
    // New data over a snapshot's is refused, as the backend's
    // `update_object_hashmap` does; copies over it are not.
    let new_data = c.data.as_ref().is_some_and(|d| !d.is_snapshot) && c.source.is_none();
    if new_data && current.is_some_and(|v| v.is_snapshot) {
        return Err(ApiError::forbidden(
            "Cannot update Archipelago volume hashmap.",
        ));
    }
    let base_meta = c.source.or(current).map(|v| &*v.meta);
    let meta = merge_meta(base_meta, c.meta, c.replace_meta);
    if meta.len() > MAX_METADATA {
        return Err(too_much_metadata());
    }
    let previous = current.map_or(0, |v| v.size);
    let size = match (&c.data, c.source, current) {
        (Some(d), _, _) => d.size,
        (None, Some(s), _) => s.size,
        (None, None, Some(v)) => v.size,
        (None, None, None) => 0,
    };
    let delta = i128::from(size) - i128::from(previous);
    if delta > 0 && cont.quota > 0 {
        let usage = i128::from(cont.usage().1) + delta;
        if usage > i128::from(cont.quota) {
            return Err(ApiError::new(
                "requestEntityTooLarge",
                413,
                format!(
                    "Quota error: Container quota exceeded: limit: {}, usage: {usage}",
                    cont.quota
                ),
            ));
        }
    }
    let project = cont.project.clone();
    if delta != 0 {
        let delta = i64::try_from(delta).unwrap_or(i64::MAX);
        quotas.charge(at.account, &project, &[(PITHOS_DISKSPACE, delta)])?;
    }
    let (serial, _) = model.put_version(
        user,
        at.account,
        at.container,
        at.name,
        c.data,
        c.source,
        c.keep_uuid,
        meta,
    );
    if let Some(sharing) = c.permissions {
        model.set_sharing(&at.path(), sharing);
    }
    Ok(serial)
}

/// Checks that `user` may write `at` (and set permissions there).
pub(super) fn check_writable(
    model: &Model,
    user: &str,
    at: &At<'_>,
    permissions: bool,
) -> Result<(), ApiError> {
    if permissions && user != at.account {
        return Err(ApiError::forbidden(
            "Modifying other account's object content is not allowed",
        ));
    }
    model.can_write_object(user, at.account, at.container, at.name)?;
    model
        .container(at.account, at.container)
        .ok_or_else(no_container)?;
    Ok(())
}

/// Publishes or unpublishes an object.
pub(super) fn update_public(
    model: &mut Model,
    user: &str,
    at: &At<'_>,
    public: bool,
) -> Result<(), ApiError> {
    model.can_write_object(user, at.account, at.container, at.name)?;
    model
        .container(at.account, at.container)
        .and_then(|c| c.objects.get(at.name))
        .ok_or_else(no_object)?;
    if public {
        model.set_public(&at.path());
    } else {
        model.unset_public(&at.path());
    }
    Ok(())
}

/// A hashmap document: (size, hashes); unknown hashes are kept as the
/// lower-case hex the client sent, to report them missing.
pub(super) fn parse_hashmap(body: &[u8]) -> Result<(i128, Vec<String>), ApiError> {
    let invalid = || ApiError::bad_request("Invalid data formatting");
    let doc: Value = serde_json::from_slice(body).map_err(|_| invalid())?;
    let hashes = doc
        .get("hashes")
        .and_then(Value::as_array)
        .ok_or_else(invalid)?;
    let size = match doc.get("bytes") {
        Some(Value::Number(n)) => n
            .as_i64()
            .map(i128::from)
            .or_else(|| n.as_u64().map(i128::from))
            .or_else(|| n.as_f64().map(|f| f.trunc() as i128))
            .ok_or_else(invalid)?,
        Some(Value::String(s)) => s.trim().parse::<i128>().map_err(|_| invalid())?,
        _ => return Err(invalid()),
    };
    let hashes = hashes
        .iter()
        .map(|h| match h {
            Value::String(s) => Ok(s.clone()),
            other => Err(ApiError::bad_request(format!("Invalid hash: {other}"))),
        })
        .collect::<Result<Vec<String>, ApiError>>()?;
    Ok((size, hashes))
}

/// Checks a hashmap against its size and the block store: the hashes, or
/// the 409 reply listing the missing ones.
pub(super) fn resolve_hashmap(
    ctx: &Ctx,
    size: i128,
    hashes: &[String],
) -> Result<Result<Vec<Hash>, Reply>, ApiError> {
    let inconsistent = || {
        ApiError::bad_request("The object's size does not match with the object's hashmap length")
    };
    let block = BLOCK_SIZE as i128;
    if size < 0 || size > i128::from(u64::MAX) {
        return Err(inconsistent());
    }
    if size == 0 {
        let empty = to_hex(&empty_hash());
        if !(hashes.is_empty() || (hashes.len() == 1 && hashes[0] == empty)) {
            return Err(inconsistent());
        }
        return Ok(Ok(vec![empty_hash()]));
    }
    let blocks = (size + block - 1) / block;
    if blocks != hashes.len() as i128 {
        return Err(inconsistent());
    }
    let mut parsed: Vec<Option<Hash>> = Vec::with_capacity(hashes.len());
    let mut odd = false;
    for h in hashes {
        let is_hex = h.len() % 2 == 0 && h.bytes().all(|b| b.is_ascii_hexdigit());
        if !is_hex {
            return Err(ApiError::bad_request(format!("Invalid hash: {h}")));
        }
        let hash = from_hex(h);
        odd |= hash.is_none();
        parsed.push(hash);
    }
    let known: Vec<Hash> = parsed.iter().flatten().copied().collect();
    let missing: HashSet<Hash> = ctx
        .pithos()
        .store
        .missing(known.iter())
        .into_iter()
        .collect();
    if missing.is_empty() && !odd {
        return Ok(Ok(known));
    }
    // Missing hashes in the order of the hashmap, each once.
    let mut listed: Vec<String> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    for (h, p) in hashes.iter().zip(&parsed) {
        let absent = match p {
            Some(hash) => missing.contains(hash),
            None => true,
        };
        if absent && seen.insert(h.to_lowercase()) {
            listed.push(h.to_lowercase());
        }
    }
    let body = Value::from(listed).to_string();
    Ok(Err(Reply::with_body(
        StatusCode::CONFLICT,
        Format::Json.content_type(),
        body,
    )))
}

/// `PUT /<account>/<container>/<object>`.
pub async fn put(ctx: &Ctx, at: &At<'_>, body: &mut Option<Body>) -> PithosResult {
    let user = ctx.uuid();
    if ctx.headers.non_empty("if-match").is_some()
        || ctx.headers.non_empty("if-none-match").is_some()
    {
        let model = ctx.pithos().read();
        let etag = match readable_version(&model, user, at, None) {
            Ok((v, _)) => version_etag(ctx, &v),
            Err(f) if f.code == 404 => None,
            Err(f) => return Err(f),
        };
        check_match(ctx, etag.as_deref())?;
    }
    let copy_from = ctx.headers.non_empty("x-copy-from");
    let move_from = ctx.headers.non_empty("x-move-from");
    if copy_from.is_some() || move_from.is_some() {
        ctx.headers.content_length()?;
        let src_account = ctx.headers.non_empty("x-source-account").unwrap_or(user);
        let (source, is_move, header) = match move_from {
            Some(m) => (m, true, "X-Move-From"),
            None => (copy_from.unwrap_or(""), false, "X-Copy-From"),
        };
        let (src_container, src_name) = split_container_object(source)
            .ok_or_else(|| ApiError::bad_request(format!("Invalid {header} header")))?;
        let src = At {
            account: src_account,
            container: &src_container,
            name: &src_name,
        };
        let serial = copy_or_move_object(ctx, &src, at, is_move)?;
        return Ok(Reply::empty(StatusCode::CREATED).header("X-Object-Version", serial.to_string()));
    }

    let content_type = ctx.headers.content_type().map(str::to_string);
    let meta = ctx.headers.object_meta()?;
    let permissions = ctx.headers.sharing()?;
    let public = ctx.headers.public()?;
    let length = if ctx.headers.chunked() {
        None
    } else {
        Some(ctx.headers.content_length()?)
    };
    let Some(content_type) = content_type else {
        return Err(ApiError::new(
            "lengthRequired",
            411,
            "Missing Content-Type header",
        ));
    };

    let (size, hashes, checksum) = if ctx.query.has("hashmap") {
        let max = ctx.pithos().max_upload_size().min(MAX_HASHMAP_BODY);
        let doc = read_all(crate::pithos::body::take(body), length, max).await?;
        let (size, listed) = parse_hashmap(&doc)?;
        let hashes = match resolve_hashmap(ctx, size, &listed)? {
            Ok(hashes) => hashes,
            Err(conflict) => return Ok(conflict),
        };
        let size = u64::try_from(size).unwrap_or(0);
        let checksum = if ctx.pithos().update_md5() {
            hashmap_md5(ctx, &hashes, size)
        } else {
            String::new()
        };
        (size, hashes, checksum)
    } else {
        {
            let model = ctx.pithos().read();
            check_writable(&model, user, at, permissions.is_some())?;
        }
        let etag = ctx.headers.non_empty("etag").map(str::to_string);
        let stored = store_blocks(
            ctx.pithos().store.clone(),
            crate::pithos::body::take(body),
            length,
            ctx.pithos().max_upload_size(),
            BLOCK_SIZE,
            etag.is_some() || ctx.pithos().update_md5(),
        )
        .await?;
        let checksum = stored.md5.unwrap_or_default();
        if let Some(etag) = etag {
            let given = parse_etags(&etag).into_iter().next().unwrap_or_default();
            if given.to_lowercase() != checksum {
                return Err(ApiError::new(
                    "unprocessableEntity",
                    422,
                    "Object ETag does not match",
                ));
            }
        }
        let hashes = if stored.size == 0 {
            vec![empty_hash()]
        } else {
            stored.hashes
        };
        (stored.size, hashes, checksum)
    };
    let hashes = super::flushed(ctx, hashes).await?;

    let mut model = ctx.pithos().write();
    let data = NewData {
        size,
        content: Content::of(&hashes),
        content_type: Some(content_type),
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
            meta: &meta,
            replace_meta: true,
            permissions,
        },
    )?;
    if let Some(public) = public {
        update_public(&mut model, user, at, public)?;
    }
    Ok(Reply::empty(StatusCode::CREATED)
        .header("ETag", etag)
        .header("X-Object-Version", serial.to_string()))
}

/// Deletes an object by `user` (not a purge): 404 if it does not exist;
/// releases its space. The HTTP API's deletions and other services'
/// ([`super::backend`]) go through here.
pub(crate) fn delete_object(
    quotas: &Quotas,
    user: &str,
    model: &mut Model,
    at: &At<'_>,
) -> Result<u64, ApiError> {
    if user != at.account {
        return Err(ApiError::forbidden("Forbidden"));
    }
    let cont = model
        .container(at.account, at.container)
        .ok_or_else(no_container)?;
    let project = cont.project.clone();
    let node = cont.objects.get(at.name).ok_or_else(no_object)?;
    if node.current().is_none() {
        return Err(ApiError::item_not_found("Object is deleted."));
    }
    let freed = model
        .delete_current(user, at.account, at.container, at.name)
        .unwrap_or(0);
    quotas.release(at.account, &project, &[(PITHOS_DISKSPACE, freed)]);
    Ok(freed)
}

/// `DELETE /<account>/<container>/<object>`: delete (with `delimiter`,
/// everything under it too) or purge history up to `until`.
pub fn delete(ctx: &Ctx, at: &At<'_>) -> PithosResult {
    let until = ctx.query.until();
    let delimiter = ctx.query.non_empty("delimiter");
    let mut model = ctx.pithos().write();
    if ctx.uuid() != at.account {
        return Err(ApiError::forbidden("Forbidden"));
    }
    let cont = model
        .container(at.account, at.container)
        .ok_or_else(no_container)?;
    let project = cont.project.clone();
    if let Some(u) = until {
        cont.objects.get(at.name).ok_or_else(no_object)?;
        let freed = model.purge_object(at.account, at.container, at.name, u);
        ctx.state
            .quotas
            .release(at.account, &project, &[(PITHOS_DISKSPACE, freed)]);
        return Ok(Reply::empty(StatusCode::NO_CONTENT));
    }
    delete_object(&ctx.state.quotas, ctx.uuid(), &mut model, at)?;
    if let Some(d) = delimiter {
        let prefix = folder_prefix(at.name, d);
        let names = live_names_under(&model, at, &prefix);
        for name in names {
            let child = At { name: &name, ..*at };
            delete_object(&ctx.state.quotas, ctx.uuid(), &mut model, &child)?;
        }
    }
    Ok(Reply::empty(StatusCode::NO_CONTENT))
}
