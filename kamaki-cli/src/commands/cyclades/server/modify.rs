//! `kamaki server modify`: name, flavor (resize), metadata, firewall
//! profiles of a server's public ports.

use std::str::FromStr;

use kamaki::clients::cyclades::{CycladesComputeClient, FirewallProfile};
use kamaki::clients::ClientError;

use super::{missing_on, no_server, ModifyArgs};
use crate::commands::common::{key_values, not_found};
use crate::commands::cyclades::{compute, network};
use crate::context::Ctx;
use crate::error::{CliError, CliResult};

pub(super) async fn modify(ctx: &mut Ctx, args: ModifyArgs) -> CliResult {
    let firewall = args
        .firewall
        .as_deref()
        .map(|p| {
            FirewallProfile::from_str(p).map_err(|_| {
                CliError::new(format!(
                    "Invalid firewall profile {p}: use one of DISABLED, ENABLED, PROTECTED"
                ))
            })
        })
        .transpose()?;
    let metadata_set = key_values(&args.metadata_set)?;
    let compute = compute(ctx).await?;
    let id = args.server_id.as_str();
    if let Some(name) = &args.name {
        compute
            .update_server_name(id, name)
            .await
            .map_err(no_server(id))?;
    }
    if let Some(flavor) = args.flavor_id {
        let flavor = flavor.to_string();
        if let Err(e) = compute.resize_server(id, &flavor).await {
            return Err(explain_resize_error(&compute, id, &flavor, e).await);
        }
    }
    if let Some(profile) = firewall {
        set_firewall(ctx, &compute, id, profile, args.port_id.as_deref()).await?;
    }
    if !metadata_set.is_empty() {
        compute
            .update_server_metadata(id, &metadata_set)
            .await
            .map_err(no_server(id))?;
    }
    for key in &args.metadata_del {
        if let Err(e) = compute.delete_server_metadata(id, key).await {
            return Err(missing_on(
                &compute,
                id,
                e,
                format!("No virtual server metadata with key {key}"),
                format!("kamaki server info {id}"),
            )
            .await);
        }
    }
    if let Some(tag) = &args.tag_add {
        compute.add_tag(id, tag).await.map_err(no_server(id))?;
    }
    if let Some(tag) = &args.tag_del {
        if let Err(e) = compute.delete_tag(id, tag).await {
            return Err(missing_on(
                &compute,
                id,
                e,
                format!("No tag {tag} on server {id}"),
                format!("kamaki server tags {id}"),
            )
            .await);
        }
    }
    if args.tags_del {
        if let Err(e) = compute.delete_tags(id).await {
            // Synnefo answers 404 when there was no tag to delete.
            if e.status() != 404 || compute.get_server_details(id).await.is_err() {
                return Err(no_server(id)(e));
            }
        }
    }
    if !args.tag_replace.is_empty() {
        compute
            .replace_tags(id, &args.tag_replace)
            .await
            .map_err(no_server(id))?;
    }
    Ok(())
}

pub(super) async fn explain_resize_error(
    compute: &CycladesComputeClient,
    id: &str,
    flavor: &str,
    error: ClientError,
) -> CliError {
    match error.status() {
        404 => match compute.get_server_details(id).await {
            Err(e) => no_server(id)(e),
            Ok(_) => not_found("flavor", flavor, "kamaki flavor list")(error),
        },
        400 => match compute.get_server_details(id).await {
            Ok(server) if !server.status.eq_ignore_ascii_case("STOPPED") => CliError::new(format!(
                "To resize a virtual server, it must be STOPPED: server {id} is {} (kamaki server shutdown {id} -w)",
                server.status
            ))
            .detail(error.to_string()),
            _ => error.into(),
        },
        _ => error.into(),
    }
}

pub(super) async fn set_firewall(
    ctx: &mut Ctx,
    compute: &CycladesComputeClient,
    id: &str,
    profile: FirewallProfile,
    pick: Option<&str>,
) -> CliResult {
    let server = compute
        .get_server_details(id)
        .await
        .map_err(no_server(id))?;
    let mut ports: Vec<_> = server
        .attachments
        .iter()
        .filter(|p| p.firewall_profile.is_some())
        .collect();
    // A connection whose profile was never set may show none: the public
    // networks tell which connections have a firewall.
    if ports.is_empty() {
        let public: Vec<String> = network(ctx)
            .await?
            .list_networks(true)
            .await?
            .into_iter()
            .filter(|n| n.public == Some(true))
            .map(|n| n.id)
            .collect();
        ports = server
            .attachments
            .iter()
            .filter(|p| public.contains(&p.network_id))
            .collect();
    }
    match pick {
        Some(pick) => ports.retain(|p| pick == "*" || pick == p.id),
        None if ports.len() > 1 => {
            let ids: Vec<&str> = ports.iter().map(|p| p.id.as_str()).collect();
            return Err(CliError::new(format!(
                "Multiple public connections on server {id} (ports {}): choose one with --port-id PORT_ID, or all with --port-id '*'",
                ids.join(", ")
            )));
        }
        None => {}
    }
    if ports.is_empty() {
        let through = pick
            .map(|p| format!(" through port {p}"))
            .unwrap_or_default();
        return Err(CliError::new(format!(
            "No public networks attached on server {id}{through}: see kamaki server info {id} --nics; connect one with kamaki network connect NETWORK_ID --device-id {id}"
        )));
    }
    for port in ports {
        eprintln!("Set port {} firewall to {profile}", port.id);
        compute
            .set_firewall_profile(id, profile, &port.id)
            .await
            .map_err(no_server(id))?;
    }
    Ok(())
}

/// `server reassign`: moves the server to another project.
pub(super) async fn reassign(ctx: &mut Ctx, server_id: String, project_id: String) -> CliResult {
    let compute = compute(ctx).await?;
    compute
        .reassign_server(&server_id, &project_id)
        .await
        .map_err(|e| match e.status() {
            400 | 403 => CliError::from(e).hint(&format!(
                "is {project_id} a project of yours? see kamaki project list"
            )),
            _ => no_server(&server_id)(e),
        })
}
