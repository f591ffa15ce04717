//! `COPY` and `MOVE` of objects (and of whole folders with a
//! delimiter), sharing blocks with the source: no data is copied.

use super::*;

/// Copies or moves `src` to `dest` (with `delimiter`, everything under it
/// too); the first new version's serial.
pub(super) fn copy_or_move_object(
    ctx: &Ctx,
    src: &At<'_>,
    dest: &At<'_>,
    is_move: bool,
) -> Result<u64, ApiError> {
    let user = ctx.uuid();
    let content_type = if ctx.query.has("ignore_content_type") {
        None
    } else {
        ctx.headers.content_type().map(str::to_string)
    };
    let meta = ctx.headers.object_meta()?;
    let permissions = ctx.headers.sharing()?;
    let public = ctx.headers.public()?;
    let src_version = if is_move {
        None
    } else {
        ctx.headers.non_empty("x-source-version")
    };
    let delimiter = ctx.query.non_empty("delimiter");
    if is_move && user != src.account {
        return Err(ApiError::forbidden("Forbidden"));
    }
    let mut model = ctx.pithos().write();
    let serial = copy_one(
        ctx,
        &mut model,
        src,
        dest,
        src_version,
        content_type,
        &meta,
        permissions,
        is_move,
    )?;
    if let Some(d) = delimiter {
        let prefix = folder_prefix(src.name, d);
        let dest_prefix = folder_prefix(dest.name, d);
        let names = live_names_under(&model, src, &prefix);
        for name in names {
            let dest_name = name.replacen(&prefix, &dest_prefix, 1);
            let s = At {
                name: &name,
                ..*src
            };
            let d = At {
                name: &dest_name,
                ..*dest
            };
            copy_one(
                ctx,
                &mut model,
                &s,
                &d,
                None,
                None,
                &BTreeMap::new(),
                None,
                is_move,
            )?;
        }
    }
    if let Some(public) = public {
        update_public(&mut model, user, dest, public)?;
    }
    Ok(serial)
}

#[allow(clippy::too_many_arguments)]
pub(super) fn copy_one(
    ctx: &Ctx,
    model: &mut Model,
    src: &At<'_>,
    dest: &At<'_>,
    src_version: Option<&str>,
    content_type: Option<String>,
    meta: &BTreeMap<String, String>,
    permissions: Option<Sharing>,
    is_move: bool,
) -> Result<u64, ApiError> {
    let user = ctx.uuid();
    model.can_read_object(user, src.account, src.container, src.name)?;
    model
        .container(src.account, src.container)
        .ok_or_else(no_container)?;
    model
        .container(dest.account, dest.container)
        .ok_or_else(no_container)?;
    let (source, _) = readable_version(model, user, src, src_version)?;
    let same_path = src.path() == dest.path();
    let data = NewData {
        size: source.size,
        content: source.content.clone(),
        content_type,
        checksum: None,
        is_snapshot: false,
    };
    let serial = commit(
        &ctx.state.quotas,
        user,
        model,
        dest,
        Commit {
            data: Some(data),
            source: Some(&source),
            keep_uuid: is_move || same_path,
            meta,
            replace_meta: false,
            permissions,
        },
    )?;
    if is_move && !same_path {
        delete_object(&ctx.state.quotas, user, model, src)?;
    }
    Ok(serial)
}

/// `COPY` / `MOVE /<account>/<container>/<object>` to `Destination`.
pub fn copy_or_move(ctx: &Ctx, at: &At<'_>, is_move: bool) -> PithosResult {
    let dest_account = ctx
        .headers
        .non_empty("destination-account")
        .unwrap_or(ctx.uuid());
    let destination = ctx
        .headers
        .non_empty("destination")
        .ok_or_else(|| ApiError::bad_request("Missing Destination header"))?;
    let (dest_container, dest_name) = split_container_object(destination)
        .ok_or_else(|| ApiError::bad_request("Invalid Destination header"))?;
    if ctx.headers.non_empty("if-match").is_some()
        || ctx.headers.non_empty("if-none-match").is_some()
    {
        let version = if is_move {
            None
        } else {
            ctx.headers.non_empty("x-source-version")
        };
        let model = ctx.pithos().read();
        let (v, _) = readable_version(&model, ctx.uuid(), at, version)?;
        check_match(ctx, v.hash().as_deref())?;
    }
    let dest = At {
        account: dest_account,
        container: &dest_container,
        name: &dest_name,
    };
    let serial = copy_or_move_object(ctx, at, &dest, is_move)?;
    Ok(Reply::empty(StatusCode::CREATED).header("X-Object-Version", serial.to_string()))
}
