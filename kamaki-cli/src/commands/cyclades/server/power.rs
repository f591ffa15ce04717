//! Deleting, starting and shutting down servers, and waiting for them
//! with a progress bar.

use kamaki::clients::compute::{ListServersOptions, Server};
use kamaki::clients::cyclades::CycladesComputeClient;

use super::{no_server, SERVER_STATES};
use crate::commands::cyclades::compute;
use crate::commands::cyclades::waiter::{Goal, WaitArgs, WaitCmdArgs, Waiting, DEFAULT_TIMEOUT};
use crate::context::Ctx;
use crate::error::{CliError, CliResult};

pub(super) async fn delete(
    ctx: &mut Ctx,
    target: &str,
    cluster: bool,
    wait: &WaitArgs,
) -> CliResult {
    let compute = compute(ctx).await?;
    let ids: Vec<String> = if cluster {
        compute
            .list_servers(false, &ListServersOptions::default())
            .await?
            .into_iter()
            .filter(|s| s.name.starts_with(target))
            .map(|s| s.id)
            .collect()
    } else {
        vec![target.to_string()]
    };
    for id in &ids {
        let status = if wait.wait {
            Some(
                compute
                    .get_server_details(id)
                    .await
                    .map_err(no_server(id))?
                    .status,
            )
        } else {
            None
        };
        compute.delete_server(id).await.map_err(no_server(id))?;
        if let Some(status) = status {
            wait_server(
                &compute,
                id,
                Goal::While(status),
                DEFAULT_TIMEOUT,
                wait.no_progress_bar,
            )
            .await?;
        }
    }
    if cluster {
        let n = ids.len();
        eprintln!(
            "{n} virtual server{} deleted",
            if n == 1 { "" } else { "s" }
        );
    }
    Ok(())
}

/// `server start` (`up`) or `server shutdown`.
pub(super) async fn power(ctx: &mut Ctx, id: &str, up: bool, wait: &WaitArgs) -> CliResult {
    let compute = compute(ctx).await?;
    let target = if up { "ACTIVE" } else { "STOPPED" };
    let current = compute
        .get_server_details(id)
        .await
        .map_err(no_server(id))?
        .status;
    if current == target {
        return Err(CliError::new(format!("Server {id} is already {target}")));
    }
    let sent = if up {
        compute.start_server(id).await
    } else {
        compute.shutdown_server(id).await
    };
    sent.map_err(no_server(id))?;
    if wait.wait {
        wait_server(
            &compute,
            id,
            Goal::While(current),
            DEFAULT_TIMEOUT,
            wait.no_progress_bar,
        )
        .await?;
    }
    Ok(())
}

/// Waits for a server, showing a bar, and reports where it ended up.
pub async fn wait_server(
    compute: &CycladesComputeClient,
    id: &str,
    goal: Goal,
    timeout: u64,
    no_bar: bool,
) -> CliResult {
    let waiting = Waiting::new("Server", id, goal.clone(), timeout, no_bar);
    let observe = |server: &Server| waiting.observe(server.progress);
    let result = match &goal {
        Goal::While(s) => {
            compute
                .wait_server_while(id, s, waiting.options(), observe)
                .await
        }
        Goal::Until(s) => {
            compute
                .wait_server_until(id, s, waiting.options(), observe)
                .await
        }
    };
    match result {
        Ok(server) => waiting.finish(&server.status),
        Err(e) if e.status() == 404 => waiting.gone(),
        Err(e) => Err(waiting.fail(e)),
    }
}

/// `server reboot`: soft or hard, and optionally wait while it reboots.
pub(super) async fn reboot(
    ctx: &mut Ctx,
    server_id: String,
    reboot_type: Option<String>,
    wait: WaitArgs,
) -> CliResult {
    let hard = match reboot_type.as_deref().map(str::to_lowercase).as_deref() {
        None | Some("soft") => false,
        Some("hard") => true,
        Some(_) => {
            return Err(CliError::new(format!(
                "Invalid reboot type {}: --type is SOFT (default) or HARD",
                reboot_type.unwrap_or_default()
            )))
        }
    };
    let compute = compute(ctx).await?;
    compute
        .reboot_server(&server_id, hard)
        .await
        .map_err(no_server(&server_id))?;
    if wait.wait {
        wait_server(
            &compute,
            &server_id,
            Goal::While("REBOOT".into()),
            DEFAULT_TIMEOUT,
            wait.no_progress_bar,
        )
        .await?;
    }
    Ok(())
}

/// `server rescue`: boot the server from a rescue image.
pub(super) async fn rescue(
    ctx: &mut Ctx,
    server_id: String,
    rescue_image_ref: Option<String>,
) -> CliResult {
    let compute = compute(ctx).await?;
    compute
        .rescue_server(&server_id, rescue_image_ref.as_deref())
        .await
        .map_err(no_server(&server_id))
}

/// `server unrescue`: leave rescue mode.
pub(super) async fn unrescue(ctx: &mut Ctx, server_id: String) -> CliResult {
    let compute = compute(ctx).await?;
    compute
        .unrescue_server(&server_id)
        .await
        .map_err(no_server(&server_id))
}

/// `server wait`: until (or while) the server is in a status.
pub(super) async fn wait(ctx: &mut Ctx, server_id: String, args: WaitCmdArgs) -> CliResult {
    let goal = args.goal("BUILD", SERVER_STATES)?;
    let compute = compute(ctx).await?;
    let server = compute
        .get_server_details(&server_id)
        .await
        .map_err(no_server(&server_id))?;
    match &goal {
        Goal::Until(s) if server.status.eq_ignore_ascii_case(s) => {
            eprintln!("Server {server_id}: already in {}", server.status);
            Ok(())
        }
        Goal::While(s) if !server.status.eq_ignore_ascii_case(s) => {
            eprintln!("Server {server_id} status: {}", server.status);
            Ok(())
        }
        _ => {
            wait_server(
                &compute,
                &server_id,
                goal,
                args.timeout,
                args.no_progress_bar,
            )
            .await
        }
    }
}
