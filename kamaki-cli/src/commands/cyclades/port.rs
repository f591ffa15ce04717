//! `kamaki port`: connections of servers to networks; and the connecting
//! that `network connect` and `ip attach` do too.

use clap::{Args, Subcommand};
use kamaki::clients::cyclades::CycladesNetworkClient;
use kamaki::clients::network::{FixedIp, Port, PortOptions};
use kamaki::clients::ClientError;
use serde_json::Value;

use super::waiter::{Goal, WaitArgs, WaitCmdArgs, Waiting, DEFAULT_TIMEOUT};
use super::{compute, network};
use crate::commands::common::{
    not_found, only_keys, print_list, raw_list, raw_reply, to_value, to_values, ListStyle,
    OwnedListArgs, ID_NAME,
};
use crate::context::Ctx;
use crate::error::{CliError, CliResult};

/// The statuses `port wait` knows.
pub const PORT_STATES: &[&str] = &["BUILD", "ACTIVE", "DOWN", "ERROR"];

/// `port` commands.
#[derive(Debug, Subcommand)]
pub enum PortCmd {
    /// List all ports.
    List(OwnedListArgs),
    /// Details on a port.
    Info {
        /// The port id.
        port_id: String,
    },
    /// Create a port (connect a server to a network).
    Create {
        /// The network.
        #[arg(long = "network-id", required = true)]
        network_id: String,
        /// The device (a virtual server).
        #[arg(long = "device-id", required = true)]
        device_id: String,
        /// How to set the port up.
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
    /// Delete a port (disconnect its server from the network).
    Delete {
        /// The port id.
        port_id: String,
        /// Waiting.
        #[command(flatten)]
        wait: WaitArgs,
    },
    /// Rename a port.
    Modify {
        /// The port id.
        port_id: String,
        /// The new name.
        #[arg(long, required = true)]
        name: String,
    },
    /// Wait for a port to change its status (default: --while BUILD).
    Wait {
        /// The port id.
        port_id: String,
        /// What to wait for.
        #[command(flatten)]
        args: WaitCmdArgs,
    },
}

/// How to set up a new port.
#[derive(Args, Clone, Debug, Default)]
pub struct PortArgs {
    /// A human readable name for the port.
    #[arg(long)]
    pub name: Option<String>,
    /// A security group id (repeatable).
    #[arg(short = 'g', long = "security-group", value_name = "ID")]
    pub security_group: Vec<String>,
    /// The subnet of the fixed IP (with --ip-address).
    #[arg(long = "subnet-id")]
    pub subnet_id: Option<String>,
}

pub(super) fn no_port(id: &str) -> impl FnOnce(ClientError) -> CliError + '_ {
    not_found("port", id, "kamaki port list")
}

pub(super) fn no_network(id: &str) -> impl FnOnce(ClientError) -> CliError + '_ {
    not_found("network", id, "kamaki network list")
}

/// After a 400 or 404 (`status`) on something made on network `id`: the
/// error naming the network, if it is the network that is missing.
pub(super) async fn missing_network(
    net: &CycladesNetworkClient,
    id: &str,
    status: u16,
) -> Option<CliError> {
    if !matches!(status, 400 | 404) {
        return None;
    }
    match net.get_network_details(id).await {
        Err(e) if matches!(e.status(), 400 | 404) => Some(no_network(id)(e)),
        _ => None,
    }
}

/// Connects a device to a network with a new port, as kamaki's
/// `port create`, `network connect` and `ip attach` do, waits for it with
/// `-w`, and returns it. A 400 or 404 is explained: a missing network,
/// server, subnet or IP.
pub async fn connect(
    ctx: &mut Ctx,
    net: &CycladesNetworkClient,
    network_id: &str,
    device_id: &str,
    port: &PortArgs,
    ip_address: Option<&str>,
    wait: &WaitArgs,
) -> CliResult<Port> {
    let fixed_ips = match ip_address {
        Some(ip) => vec![FixedIp {
            ip_address: Some(ip.to_string()),
            subnet_id: port.subnet_id.clone(),
        }],
        None => Vec::new(),
    };
    let options = PortOptions {
        device_id: Some(device_id.to_string()),
        name: port.name.clone(),
        fixed_ips,
        security_groups: port.security_group.clone(),
        ..Default::default()
    };
    let created = match net.create_port(network_id, &options).await {
        Ok(created) => created,
        Err(e) => {
            return Err(
                explain_connect_error(ctx, net, network_id, device_id, port, ip_address, e).await,
            )
        }
    };
    if !wait.wait {
        return Ok(created);
    }
    wait_port(
        net,
        &created.id,
        Goal::While(created.status.clone()),
        DEFAULT_TIMEOUT,
        wait.no_progress_bar,
    )
    .await?;
    net.get_port_details(&created.id)
        .await
        .map_err(no_port(&created.id))
}

async fn explain_connect_error(
    ctx: &mut Ctx,
    net: &CycladesNetworkClient,
    network_id: &str,
    device_id: &str,
    port: &PortArgs,
    ip_address: Option<&str>,
    error: ClientError,
) -> CliError {
    if !matches!(error.status(), 400 | 404) {
        return error.into();
    }
    if let Some(missing) = missing_network(net, network_id, error.status()).await {
        return missing;
    }
    if let Ok(compute) = compute(ctx).await {
        if let Err(e) = compute.get_server_details(device_id).await {
            if matches!(e.status(), 400 | 404) {
                return not_found("server", device_id, "kamaki server list")(e);
            }
        }
    }
    if let Some(subnet) = &port.subnet_id {
        if let Err(e) = net.get_subnet_details(subnet).await {
            if matches!(e.status(), 400 | 404) {
                return not_found("subnet", subnet, "kamaki subnet list")(e);
            }
        }
    }
    if let Some(ip) = ip_address {
        if let Ok(ips) = net.list_floatingips().await {
            match ips.iter().find(|f| f.floating_ip_address == ip) {
                None => {
                    return CliError::new(format!(
                        "Floating IP {ip} not found ({}): see kamaki ip list; reserve one with kamaki ip create",
                        error.status()
                    ))
                    .detail(error.to_string())
                }
                Some(found) if found.floating_network_id != network_id => {
                    return CliError::new(format!(
                        "Floating IP {ip} does not belong to network {network_id} ({}): see kamaki ip info {}",
                        error.status(),
                        found.id
                    ))
                    .detail(error.to_string())
                }
                Some(_) => {}
            }
        }
    }
    error.into()
}

/// Waits for a port, showing a spinner; a port that disappears (404) is
/// deleted, which is what a wait after a deletion waits for.
pub async fn wait_port(
    net: &CycladesNetworkClient,
    id: &str,
    goal: Goal,
    timeout: u64,
    no_bar: bool,
) -> CliResult {
    let waiting = Waiting::new("Port", id, goal.clone(), timeout, no_bar);
    let observe = |_: &Port| waiting.observe(None);
    let result = match &goal {
        Goal::While(s) => net.wait_port_while(id, s, waiting.options(), observe).await,
        Goal::Until(s) => net.wait_port_until(id, s, waiting.options(), observe).await,
    };
    match result {
        Ok(port) => waiting.finish(&port.status),
        Err(e) if e.status() == 404 => waiting.gone(),
        Err(e) => Err(waiting.fail(e)),
    }
}

/// Deletes a port and, with `wait`, waits until it is gone.
pub async fn delete_port(net: &CycladesNetworkClient, id: &str, wait: &WaitArgs) -> CliResult {
    let status = if wait.wait {
        Some(net.get_port_details(id).await.map_err(no_port(id))?.status)
    } else {
        None
    };
    net.delete_port(id).await.map_err(no_port(id))?;
    match status {
        Some(status) => {
            wait_port(
                net,
                id,
                Goal::While(status),
                DEFAULT_TIMEOUT,
                wait.no_progress_bar,
            )
            .await
        }
        None => Ok(()),
    }
}

/// Prints ports as kamaki prints what it connected: a list.
pub fn print_ports(ctx: &Ctx, ports: &[Port]) -> CliResult {
    print_list(
        ctx,
        to_values(ports)?,
        ListStyle {
            title: ID_NAME,
            ..Default::default()
        },
    )
}

/// Runs a `port` command.
pub async fn run(ctx: &mut Ctx, cmd: PortCmd) -> CliResult {
    let net = network(ctx).await?;
    match cmd {
        PortCmd::List(args) => list(ctx, &net, args).await,
        PortCmd::Info { port_id } => info(ctx, &net, &port_id).await,
        PortCmd::Create {
            network_id,
            device_id,
            port,
            ip_address,
            wait,
        } => {
            let ip_address = ip_address.as_deref();
            create(ctx, &net, &network_id, &device_id, &port, ip_address, &wait).await
        }
        PortCmd::Delete { port_id, wait } => delete_port(&net, &port_id, &wait).await,
        PortCmd::Modify { port_id, name } => modify(ctx, &net, &port_id, name).await,
        PortCmd::Wait { port_id, args } => wait(&net, &port_id, args).await,
    }
}

/// `port list`: ids and names, or every field with `-l`.
async fn list(ctx: &mut Ctx, net: &CycladesNetworkClient, args: OwnedListArgs) -> CliResult {
    let OwnedListArgs {
        details,
        more,
        user_id,
        names,
        ids,
    } = args;
    let reply = net.ports_get(None).await?;
    let mut items = ids.apply(names.apply(raw_list(&reply, "ports")?));
    if let Some(user) = &user_id {
        items.retain(|p| p.get("user_id") == Some(&Value::from(user.as_str())));
    }
    if !details {
        items = only_keys(items, ID_NAME);
    }
    print_list(
        ctx,
        items,
        ListStyle {
            title: ID_NAME,
            more,
            ..Default::default()
        },
    )
}

/// `port create`: a port of the network on the device, printed.
async fn create(
    ctx: &mut Ctx,
    net: &CycladesNetworkClient,
    network_id: &str,
    device_id: &str,
    port: &PortArgs,
    ip_address: Option<&str>,
    wait: &WaitArgs,
) -> CliResult {
    let created = connect(ctx, net, network_id, device_id, port, ip_address, wait).await?;
    print_ports(ctx, &[created])
}

/// `port info`: the port as the server sent it.
async fn info(ctx: &mut Ctx, net: &CycladesNetworkClient, port_id: &str) -> CliResult {
    let reply = net
        .ports_get(Some(port_id))
        .await
        .map_err(no_port(port_id))?;
    ctx.out.print_value(&raw_reply(&reply, "port")?)
}

/// `port modify`: a new name.
async fn modify(
    ctx: &mut Ctx,
    net: &CycladesNetworkClient,
    port_id: &str,
    name: String,
) -> CliResult {
    let port = net
        .get_port_details(port_id)
        .await
        .map_err(no_port(port_id))?;
    let options = PortOptions {
        name: Some(name),
        ..Default::default()
    };
    let port = net
        .update_port(port_id, &port.network_id, &options)
        .await
        .map_err(no_port(port_id))?;
    ctx.out.print_value(&to_value(&port)?)
}

/// `port wait`: until (or while) the port is in a status.
async fn wait(net: &CycladesNetworkClient, port_id: &str, args: WaitCmdArgs) -> CliResult {
    let goal = args.goal("BUILD", PORT_STATES)?;
    let port = net
        .get_port_details(port_id)
        .await
        .map_err(no_port(port_id))?;
    match &goal {
        Goal::Until(s) if port.status.eq_ignore_ascii_case(s) => {
            eprintln!("Port {port_id}: already in {}", port.status);
            Ok(())
        }
        Goal::While(s) if !port.status.eq_ignore_ascii_case(s) => {
            eprintln!("Port {port_id} status: {}", port.status);
            Ok(())
        }
        _ => wait_port(net, port_id, goal, args.timeout, args.no_progress_bar).await,
    }
}
