//! Server tags: `server tags`, `tagexists`, `tagstatus`.

use serde_json::{json, Value};

use super::{missing_on, no_server};
use crate::commands::common::{print_list, ListStyle, ID_NAME};
use crate::commands::cyclades::compute;
use crate::context::Ctx;
use crate::error::CliResult;

/// `server tags`: the tags of a server, with their status.
pub(super) async fn tags(ctx: &mut Ctx, server_id: String) -> CliResult {
    let compute = compute(ctx).await?;
    let tags = compute
        .list_tags(&server_id)
        .await
        .map_err(no_server(&server_id))?;
    let items: Vec<Value> = tags
        .tags
        .iter()
        .zip(tags.statuses.iter())
        .map(|(tag, status)| json!({"id": tag, "status": status}))
        .collect();
    print_list(
        ctx,
        items,
        ListStyle {
            title: ID_NAME,
            ..Default::default()
        },
    )
}

/// `server tagexists`: whether a server has a tag.
pub(super) async fn tag_exists(ctx: &mut Ctx, server_id: String, tag: String) -> CliResult {
    let compute = compute(ctx).await?;
    let exists = compute
        .check_tag_exists(&server_id, &tag)
        .await
        .map_err(no_server(&server_id))?;
    if ctx.json() {
        ctx.out.print_value(&Value::Bool(exists))
    } else {
        println!("{}", if exists { "True" } else { "False" });
        Ok(())
    }
}

/// `server tagstatus`: the status of one tag.
pub(super) async fn tag_status(ctx: &mut Ctx, server_id: String, tag: String) -> CliResult {
    let compute = compute(ctx).await?;
    match compute.get_tag_status(&server_id, &tag).await {
        Ok(status) => ctx.out.print_value(&Value::String(status)),
        Err(e) => Err(missing_on(
            &compute,
            &server_id,
            e,
            format!("No tag {tag} on server {server_id}"),
            format!("kamaki server tags {server_id}"),
        )
        .await),
    }
}
