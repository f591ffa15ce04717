//! Volumes on a server: `server attachment(s)`, `attach`, `detach`.

use super::{missing_on, no_server};
use crate::commands::common::{print_list, raw_list, raw_reply, ListStyle, ID_NAME};
use crate::commands::cyclades::compute;
use crate::context::Ctx;
use crate::error::{CliError, CliResult};

/// `server attachment`: one volume attachment.
pub(super) async fn attachment(
    ctx: &mut Ctx,
    server_id: String,
    attachment_id: String,
) -> CliResult {
    let compute = compute(ctx).await?;
    match compute
        .volume_attachment_get(&server_id, Some(&attachment_id))
        .await
    {
        Ok(reply) => ctx.out.print_value(&raw_reply(&reply, "volumeAttachment")?),
        Err(e) => Err(missing_on(
            &compute,
            &server_id,
            e,
            format!("No volume attachment {attachment_id} on server {server_id}"),
            format!("kamaki server attachments {server_id}"),
        )
        .await),
    }
}

/// `server attachments`: the volume attachments of a server.
pub(super) async fn attachments(ctx: &mut Ctx, server_id: String) -> CliResult {
    let compute = compute(ctx).await?;
    let reply = compute
        .volume_attachment_get(&server_id, None)
        .await
        .map_err(no_server(&server_id))?;
    print_list(
        ctx,
        raw_list(&reply, "volumeAttachments")?,
        ListStyle {
            title: ID_NAME,
            ..Default::default()
        },
    )
}

/// `server attach`: attaches a volume.
pub(super) async fn attach(ctx: &mut Ctx, server_id: String, volume_id: String) -> CliResult {
    let compute = compute(ctx).await?;
    match compute.attach_volume(&server_id, &volume_id).await {
        Ok(found) => ctx.out.print(&found),
        Err(e) => Err(missing_on(
            &compute,
            &server_id,
            e,
            format!("No volume with id {volume_id}"),
            "kamaki volume list".to_string(),
        )
        .await),
    }
}

/// `server detach`: by attachment or by volume.
pub(super) async fn detach(
    ctx: &mut Ctx,
    server_id: String,
    attachment_id: Option<String>,
    volume_id: Option<String>,
) -> CliResult {
    let compute = compute(ctx).await?;
    if let Some(attachment) = attachment_id {
        if let Err(e) = compute
            .delete_volume_attachment(&server_id, &attachment)
            .await
        {
            return Err(missing_on(
                &compute,
                &server_id,
                e,
                format!("No volume attachment {attachment} on server {server_id}"),
                format!("kamaki server attachments {server_id}"),
            )
            .await);
        }
    } else if let Some(volume) = volume_id {
        let deleted = compute
            .detach_volume(&server_id, &volume)
            .await
            .map_err(no_server(&server_id))?;
        if deleted.is_empty() {
            return Err(CliError::new(format!(
                "Volume {volume} is not attached to server {server_id}: see kamaki server attachments {server_id}"
            )));
        }
        let n = deleted.len();
        eprintln!(
            "{n} detachment{} deleted, volume is detached",
            if n == 1 { "" } else { "s" }
        );
    }
    eprintln!("OK");
    Ok(())
}
