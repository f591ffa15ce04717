//! `kamaki server info` and `console`: what a server is, its NICs,
//! statistics and diagnostics, and how to reach its console.

use kamaki::clients::compute::ListServersOptions;
use serde_json::Value;

use super::{no_server, parse_console_type};
use crate::commands::common::{print_list, raw_reply, ListStyle, ID_NAME};
use crate::commands::cyclades::compute;
use crate::context::Ctx;
use crate::error::{CliError, CliResult};

/// `server info`: details, or the NICs, statistics or diagnostics.
pub(super) async fn info(
    ctx: &mut Ctx,
    server_id: String,
    nics: bool,
    stats: bool,
    diagnostics: bool,
) -> CliResult {
    let compute = compute(ctx).await?;
    let id = server_id.as_str();
    if nics {
        // As the server sent them (kamaki prints the reply whole).
        let reply = compute
            .servers_ips_get(id, None, None)
            .await
            .map_err(no_server(id))?;
        ctx.out.print_value(&reply.json()?)
    } else if stats {
        let reply = compute.servers_stats_get(id).await.map_err(no_server(id))?;
        ctx.out.print_value(&raw_reply(&reply, "stats")?)
    } else if diagnostics {
        // The list as sent (a null `details` stays).
        let reply = compute
            .servers_diagnostics_get(id)
            .await
            .map_err(no_server(id))?;
        let found = match reply.json()? {
            Value::Array(items) => items,
            other => {
                return Err(CliError::new(format!(
                    "the diagnostics of server {id} are not a list: {other}"
                )))
            }
        };
        print_list(
            ctx,
            found,
            ListStyle {
                title: ID_NAME,
                ..Default::default()
            },
        )
    } else {
        let reply = compute
            .servers_get(Some(id), false, &ListServersOptions::default())
            .await
            .map_err(no_server(id))?;
        ctx.out.print_value(&raw_reply(&reply, "server")?)
    }
}

/// `server console`: credentials of a console (they are invalidated soon).
pub(super) async fn console(
    ctx: &mut Ctx,
    server_id: String,
    console_type: Option<String>,
) -> CliResult {
    let console_type = parse_console_type(console_type.as_deref())?;
    let compute = compute(ctx).await?;
    eprintln!("The following credentials will be invalidated shortly");
    let console = compute
        .get_server_console(&server_id, console_type)
        .await
        .map_err(no_server(&server_id))?;
    ctx.out.print(&console)
}
