//! `kamaki network`: networks, and connecting servers to them.

use std::str::FromStr;

use clap::Subcommand;
use kamaki::clients::cyclades::{CreateNetworkOptions, CycladesNetworkClient, NetworkType};
use kamaki::clients::network::UpdateNetworkOptions;
use kamaki::clients::ClientError;
use serde_json::{json, Value};

use super::port::{connect, no_network, print_ports, wait_port, PortArgs};
use super::waiter::{Goal, WaitArgs, DEFAULT_TIMEOUT};
use super::{compute, network};
use crate::commands::common::{
    not_found, print_list, raw_list, raw_reply, IdFilter, ListStyle, NameFilter, OwnedListArgs,
    ID_NAME,
};
use crate::context::Ctx;
use crate::error::{CliError, CliResult};

/// `network` commands.
#[derive(Debug, Subcommand)]
pub enum NetworkCmd {
    /// List networks.
    List(OwnedListArgs),
    /// Details on a network.
    Info {
        /// The network id.
        network_id: String,
    },
    /// Create a private network (default type: MAC_FILTERED).
    Create {
        /// Its name.
        #[arg(long)]
        name: Option<String>,
        /// Make it shared (special privileges required).
        #[arg(long)]
        shared: bool,
        /// The project to charge it to.
        #[arg(long = "project-id")]
        project_id: Option<String>,
        /// MAC_FILTERED, CUSTOM, IP_LESS_ROUTED or PHYSICAL_VLAN.
        #[arg(long = "type", default_value = "MAC_FILTERED", value_name = "TYPE")]
        network_type: String,
    },
    /// Assign a network to a different project.
    Reassign {
        /// The network id.
        network_id: String,
        /// The project to assign it to.
        #[arg(long = "project-id", required = true)]
        project_id: String,
    },
    /// Delete a network.
    Delete {
        /// The network id.
        network_id: String,
    },
    /// Rename a network.
    Modify {
        /// The network id.
        network_id: String,
        /// The new name.
        #[arg(long, required = true)]
        name: String,
    },
    /// Connect a network with devices (servers): one port each.
    Connect {
        /// The network id.
        network_id: String,
        /// A device to connect (repeatable).
        #[arg(long = "device-id", required = true)]
        device_id: Vec<String>,
        /// How to set the ports up.
        #[command(flatten)]
        port: PortArgs,
        /// An IP address of the subnet (on a public network, a floating IP
        /// of yours).
        #[arg(long = "ip-address")]
        ip_address: Option<String>,
        /// Waiting.
        #[command(flatten)]
        wait: WaitArgs,
    },
    /// Disconnect devices from a network (delete their ports on it).
    Disconnect {
        /// The network id.
        network_id: String,
        /// A device to disconnect (repeatable).
        #[arg(long = "device-id", required = true)]
        device_id: Vec<String>,
        /// Waiting.
        #[command(flatten)]
        wait: WaitArgs,
    },
}

/// Errors about a network: missing (404), in use (409), not the user's
/// (403).
fn network_error(id: &str) -> impl FnOnce(ClientError) -> CliError + '_ {
    move |e| match e.status() {
        409 => CliError::new(format!(
            "Network with id {id} is in use (409): see kamaki port list"
        ))
        .detail(e.to_string()),
        403 => CliError::new(format!(
            "Insufficient permissions for this action (403): see kamaki network info {id}"
        ))
        .detail(e.to_string()),
        _ => no_network(id)(e),
    }
}

/// Runs a `network` command.
pub async fn run(ctx: &mut Ctx, cmd: NetworkCmd) -> CliResult {
    let net = network(ctx).await?;
    match cmd {
        NetworkCmd::List(OwnedListArgs {
            details,
            more,
            user_id,
            names,
            ids,
        }) => list(ctx, &net, details, more, user_id, names, ids).await,
        NetworkCmd::Info { network_id } => {
            let reply = net
                .networks_get(Some(&network_id))
                .await
                .map_err(no_network(&network_id))?;
            ctx.out.print_value(&raw_reply(&reply, "network")?)
        }
        NetworkCmd::Create {
            name,
            shared,
            project_id,
            network_type,
        } => create(ctx, &net, name, shared, project_id, network_type).await,
        NetworkCmd::Reassign {
            network_id,
            project_id,
        } => net
            .reassign_network(&network_id, &project_id)
            .await
            .map_err(|e| match e.status() {
                400 => CliError::from(e).hint(&format!(
                    "is {project_id} a project of yours? see kamaki project list"
                )),
                _ => network_error(&network_id)(e),
            }),
        NetworkCmd::Delete { network_id } => net
            .delete_network(&network_id)
            .await
            .map_err(network_error(&network_id)),
        NetworkCmd::Modify { network_id, name } => {
            let options = UpdateNetworkOptions {
                name: Some(name),
                ..Default::default()
            };
            let changed = net
                .update_network(&network_id, &options)
                .await
                .map_err(network_error(&network_id))?;
            ctx.out.print(&changed)
        }
        NetworkCmd::Connect {
            network_id,
            device_id,
            port,
            ip_address,
            wait,
        } => connect_server(ctx, &net, network_id, device_id, port, ip_address, wait).await,
        NetworkCmd::Disconnect {
            network_id,
            device_id,
            wait,
        } => disconnect_server(ctx, &net, network_id, device_id, wait).await,
    }
}

/// `network disconnect`: the server's ports on the network.
async fn disconnect_server(
    ctx: &mut Ctx,
    net: &CycladesNetworkClient,
    network_id: String,
    device_id: Vec<String>,
    wait: WaitArgs,
) -> CliResult {
    let compute = compute(ctx).await?;
    for device in &device_id {
        let server = compute.get_server_details(device).await.map_err(not_found(
            "server",
            device,
            "kamaki server list",
        ))?;
        let ports: Vec<String> = server
            .attachments
            .iter()
            .filter(|nic| nic.network_id == network_id)
            .map(|nic| nic.id.clone())
            .collect();
        if ports.is_empty() {
            return Err(CliError::new(format!(
                "Device {device} has no network {network_id} attached: see kamaki server info {device} --nics"
            )));
        }
        for port in &ports {
            let status = if wait.wait {
                Some(net.get_port_details(port).await?.status)
            } else {
                None
            };
            net.delete_port(port).await?;
            eprintln!("Deleting port {port} (net-id: {network_id}, device-id: {device}):");
            if let Some(status) = status {
                wait_port(
                    net,
                    port,
                    Goal::While(status),
                    DEFAULT_TIMEOUT,
                    wait.no_progress_bar,
                )
                .await?;
            }
        }
    }
    Ok(())
}

/// `network connect`: a server to the network, through a new port.
async fn connect_server(
    ctx: &mut Ctx,
    net: &CycladesNetworkClient,
    network_id: String,
    device_id: Vec<String>,
    port: PortArgs,
    ip_address: Option<String>,
    wait: WaitArgs,
) -> CliResult {
    net.get_network_details(&network_id)
        .await
        .map_err(no_network(&network_id))?;
    let mut ports = Vec::new();
    for device in &device_id {
        eprintln!("Creating a port to connect network {network_id} with device {device}");
        ports.push(
            connect(
                ctx,
                net,
                &network_id,
                device,
                &port,
                ip_address.as_deref(),
                &wait,
            )
            .await?,
        );
    }
    print_ports(ctx, &ports)
}

/// `network create`.
async fn create(
    ctx: &mut Ctx,
    net: &CycladesNetworkClient,
    name: Option<String>,
    shared: bool,
    project_id: Option<String>,
    network_type: String,
) -> CliResult {
    let kind = NetworkType::from_str(&network_type).map_err(|_| {
        CliError::new(format!(
            "Invalid network type {network_type}: use one of MAC_FILTERED, CUSTOM, IP_LESS_ROUTED, PHYSICAL_VLAN"
        ))
    })?;
    let options = CreateNetworkOptions {
        name,
        shared: shared.then_some(true),
        project_id: project_id.clone(),
    };
    let created =
        net.create_network(kind, &options)
            .await
            .map_err(|e| match (&project_id, e.status()) {
                (Some(p), 400 | 403 | 404) => CliError::from(e).hint(&format!(
                    "is {p} a project of yours? see kamaki project list"
                )),
                _ => e.into(),
            })?;
    ctx.out.print(&created)
}

/// `network list`, filtered by name, id and owner; without `-l`, whether each is public.
async fn list(
    ctx: &mut Ctx,
    net: &CycladesNetworkClient,
    details: bool,
    more: bool,
    user_id: Option<String>,
    names: NameFilter,
    ids: IdFilter,
) -> CliResult {
    let reply = net.networks_get(None).await?;
    let mut items = ids.apply(names.apply(raw_list(&reply, "networks")?));
    if let Some(user) = &user_id {
        items.retain(|n| n.get("user_id") == Some(&Value::from(user.as_str())));
    }
    let mut title = ID_NAME;
    if !details {
        items = items
            .iter()
            .map(|n| {
                let public = n.get("public").and_then(Value::as_bool).unwrap_or(false);
                json!({
                    "id": n.get("id").cloned().unwrap_or(Value::Null),
                    "name": n.get("name").cloned().unwrap_or(Value::Null),
                    "public": format!("( {} )", if public { "public" } else { "private" }),
                })
            })
            .collect();
        title = &["id", "name", "public"];
    }
    print_list(
        ctx,
        items,
        ListStyle {
            title,
            more,
            ..Default::default()
        },
    )
}
