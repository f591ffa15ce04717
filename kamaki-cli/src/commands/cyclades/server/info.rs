//! `kamaki server info` and `console`: what a server is, its NICs,
//! statistics and diagnostics, and how to reach its console.

use super::*;

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
        let nics = compute
            .get_server_nics(id, None)
            .await
            .map_err(no_server(id))?;
        ctx.out.print(&nics)
    } else if stats {
        let stats = compute.get_server_stats(id).await.map_err(no_server(id))?;
        ctx.out.print(&stats)
    } else if diagnostics {
        let found = compute
            .get_server_diagnostics(id)
            .await
            .map_err(no_server(id))?;
        print_list(
            ctx,
            to_values(&found)?,
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
