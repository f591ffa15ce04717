//! `kamaki server list`: servers, filtered as kamaki filters them (by
//! name, id, image, flavor, metadata, status, user, since a date).

use kamaki::clients::compute::ListServersOptions;
use serde_json::Value;
use time::format_description::well_known::Rfc3339;

use super::ListArgs;
use crate::args::parse_date;
use crate::commands::common::{
    keep_equal, key_values, metadata_matches, only_keys, print_list, raw_list, text, uuid_of,
    ListStyle, ID_NAME,
};
use crate::commands::cyclades::compute;
use crate::context::Ctx;
use crate::error::{CliError, CliResult};

pub(super) async fn list(ctx: &mut Ctx, args: ListArgs) -> CliResult {
    let exact = key_values(&args.metadata)?;
    let like = key_values(&args.metadata_like)?;
    let with_user = args.user_id.is_some() || args.user_name.is_some();
    let filtered = args.image_id.is_some()
        || args.flavor_id.is_some()
        || !exact.is_empty()
        || !like.is_empty()
        || args.status.is_some()
        || with_user;
    let detail = args.details || filtered;
    let changes_since = match &args.since {
        Some(date) => Some(
            parse_date(date)?
                .format(&Rfc3339)
                .map_err(|e| CliError::new(format!("invalid date {date:?}: {e}")))?,
        ),
        None => None,
    };
    let user = match (&args.user_id, &args.user_name) {
        (Some(id), _) => Some(id.clone()),
        (None, Some(name)) => Some(uuid_of(ctx, name).await?),
        (None, None) => None,
    };
    let compute = compute(ctx).await?;
    let options = ListServersOptions {
        changes_since,
        ..Default::default()
    };
    // As the server sent them: `-o json` prints them field for field.
    let reply = compute.servers_get(None, detail, &options).await?;
    let servers = raw_list(&reply, "servers")?;
    if let (Some(since), true) = (&args.since, servers.is_empty()) {
        eprintln!("No servers have been modified since {since}");
    }
    let mut items = args.ids.apply(args.names.apply(servers));
    if let Some(status) = &args.status {
        items = keep_equal(items, "status", status);
    }
    if let Some(user) = &user {
        items = keep_equal(items, "user_id", user);
    }
    let reference =
        |item: &Value, key: &str| item.get(key).map(|r| text(r, "id")).unwrap_or_default();
    if let Some(image) = &args.image_id {
        items.retain(|s| &reference(s, "image") == image);
    }
    if let Some(flavor) = &args.flavor_id {
        items.retain(|s| &reference(s, "flavor") == flavor);
    }
    if !exact.is_empty() || !like.is_empty() {
        items.retain(|s| {
            s.get("metadata")
                .is_some_and(|m| metadata_matches(m, &exact, &like))
        });
    }
    if !args.details {
        items = only_keys(items, ID_NAME);
    }
    print_list(
        ctx,
        items,
        ListStyle {
            title: ID_NAME,
            enumerate: args.enumerate,
            more: args.more,
            limit: args.number,
        },
    )
}
