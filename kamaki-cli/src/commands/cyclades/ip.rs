//! `kamaki ip`: floating IPs, and attaching them to servers.

use clap::Subcommand;
use kamaki::clients::cyclades::CycladesNetworkClient;
use kamaki::clients::network::{FloatingIp, FloatingIpOptions};
use kamaki::clients::ClientError;

use super::network;
use super::port::{connect, missing_network, print_ports, wait_port, PortArgs};
use super::waiter::{Goal, WaitArgs, DEFAULT_TIMEOUT};
use crate::commands::common::{not_found, print_list, raw_list, raw_reply, ListStyle, ID_NAME};
use crate::context::Ctx;
use crate::error::{CliError, CliResult};

/// `ip` commands.
#[derive(Debug, Subcommand)]
pub enum IpCmd {
    /// List the floating IPs reserved by the user.
    List,
    /// Details on a floating IP.
    Info {
        /// The floating IP id.
        ip_id: String,
    },
    /// Reserve a floating IP (from a network, or from any public one).
    Create {
        /// The network to reserve it on.
        #[arg(long = "network-id")]
        network_id: Option<String>,
        /// A specific address.
        #[arg(long)]
        address: Option<String>,
        /// The project to charge it to.
        #[arg(long = "project-id")]
        project_id: Option<String>,
    },
    /// Assign a floating IP to a different project.
    Reassign {
        /// The IP (address or id).
        ip: String,
        /// The project to assign it to.
        #[arg(long = "project-id", required = true)]
        project_id: String,
    },
    /// Release a floating IP.
    Delete {
        /// The floating IP id.
        ip_id: String,
    },
    /// Attach a floating IP to a server (a new port on the IP's network).
    Attach {
        /// The IP (address or id).
        ip_or_ip_id: String,
        /// The server.
        #[arg(long = "server-id", required = true)]
        server_id: String,
        /// How to set the port up.
        #[command(flatten)]
        port: PortArgs,
        /// Waiting.
        #[command(flatten)]
        wait: WaitArgs,
    },
    /// Detach a floating IP from its server (delete its port; the IP stays
    /// reserved).
    Detach {
        /// The IP (address or id).
        ip_or_ip_id: String,
        /// Waiting.
        #[command(flatten)]
        wait: WaitArgs,
    },
}

fn no_ip(id: &str) -> impl FnOnce(ClientError) -> CliError + '_ {
    not_found("floating IP", id, "kamaki ip list")
}

/// The user's floating IP with this address or id.
async fn find(net: &CycladesNetworkClient, ip_or_id: &str) -> CliResult<FloatingIp> {
    net.find_floatingip(ip_or_id).await.map_err(|e| match e {
        ClientError::NotFound(_) => CliError::new(format!(
            "{ip_or_id} does not match any reserved IPs or IP ids: see kamaki ip list; reserve one with kamaki ip create"
        )),
        other => other.into(),
    })
}

/// Runs an `ip` command.
pub async fn run(ctx: &mut Ctx, cmd: IpCmd) -> CliResult {
    let net = network(ctx).await?;
    match cmd {
        IpCmd::List => list(ctx, &net).await,
        IpCmd::Info { ip_id } => info(ctx, &net, &ip_id).await,
        IpCmd::Create {
            network_id,
            address,
            project_id,
        } => create(ctx, &net, network_id, address, project_id).await,
        IpCmd::Reassign { ip, project_id } => reassign(&net, &ip, &project_id).await,
        IpCmd::Delete { ip_id } => net.delete_floatingip(&ip_id).await.map_err(no_ip(&ip_id)),
        IpCmd::Attach {
            ip_or_ip_id,
            server_id,
            port,
            wait,
        } => attach(ctx, &net, &ip_or_ip_id, &server_id, &port, &wait).await,
        IpCmd::Detach { ip_or_ip_id, wait } => detach(&net, &ip_or_ip_id, &wait).await,
    }
}

/// `ip list`.
async fn list(ctx: &mut Ctx, net: &CycladesNetworkClient) -> CliResult {
    let reply = net.floatingips_get(None).await?;
    print_list(
        ctx,
        raw_list(&reply, "floatingips")?,
        ListStyle {
            title: ID_NAME,
            ..Default::default()
        },
    )
}

/// `ip info`: the floating IP as the server sent it.
async fn info(ctx: &mut Ctx, net: &CycladesNetworkClient, ip_id: &str) -> CliResult {
    let reply = net
        .floatingips_get(Some(ip_id))
        .await
        .map_err(no_ip(ip_id))?;
    ctx.out.print_value(&raw_reply(&reply, "floatingip")?)
}

/// `ip create`: reserve one; a failure names the missing network or the
/// project that may not be the user's.
async fn create(
    ctx: &mut Ctx,
    net: &CycladesNetworkClient,
    network_id: Option<String>,
    address: Option<String>,
    project_id: Option<String>,
) -> CliResult {
    let options = FloatingIpOptions {
        floating_ip_address: address.clone(),
        project_id: project_id.clone(),
        ..Default::default()
    };
    // As the server sent it (nulls stay), as kamaki prints it.
    let body = serde_json::json!({"floatingip": options.body(network_id.as_deref())});
    match net.floatingips_post(&body).await {
        Ok(reply) => ctx.out.print_value(&raw_reply(&reply, "floatingip")?),
        Err(e) => {
            if let Some(id) = &network_id {
                if let Some(missing) = missing_network(net, id, e.status()).await {
                    return Err(missing);
                }
            }
            Err(match (&project_id, e.status()) {
                (Some(p), 400 | 403 | 404) => CliError::from(e).hint(&format!(
                    "is {p} a project of yours? see kamaki project list"
                )),
                _ => e.into(),
            })
        }
    }
}

/// `ip reassign`: to another project.
async fn reassign(net: &CycladesNetworkClient, ip: &str, project_id: &str) -> CliResult {
    let id = find(net, ip).await?.id;
    net.reassign_floating_ip(&id, project_id)
        .await
        .map_err(|e| match e.status() {
            400 | 403 => CliError::from(e).hint(&format!(
                "is {project_id} a project of yours? see kamaki project list"
            )),
            _ => no_ip(&id)(e),
        })
}

/// `ip attach`: a new port on the IP's network, on the server.
async fn attach(
    ctx: &mut Ctx,
    net: &CycladesNetworkClient,
    ip_or_ip_id: &str,
    server_id: &str,
    port: &PortArgs,
    wait: &WaitArgs,
) -> CliResult {
    let ip = find(net, ip_or_ip_id).await?;
    eprintln!("Creating a port to attach IP {ip_or_ip_id} to server {server_id}");
    let network_id = ip.floating_network_id.clone();
    match connect(
        ctx,
        net,
        &network_id,
        server_id,
        port,
        Some(&ip.floating_ip_address),
        wait,
    )
    .await
    {
        Ok(created) => print_ports(ctx, &[created]),
        Err(e) => {
            eprintln!("Failed to connect network {network_id} with server {server_id}");
            Err(e)
        }
    }
}

/// `ip detach`: delete the IP's port (the IP stays reserved), and
/// optionally wait until it is gone.
async fn detach(net: &CycladesNetworkClient, ip_or_ip_id: &str, wait: &WaitArgs) -> CliResult {
    let ip = find(net, ip_or_ip_id).await?;
    let Some(port) = ip.port_id else {
        return Err(CliError::new(format!(
            "IP {ip_or_ip_id} is not attached: see kamaki ip info {}",
            ip.id
        )));
    };
    eprintln!("Deleting port {port}:");
    net.delete_port(&port).await?;
    if wait.wait {
        match net.get_port_details(&port).await {
            Ok(left) => {
                wait_port(
                    net,
                    &port,
                    Goal::While(left.status),
                    DEFAULT_TIMEOUT,
                    wait.no_progress_bar,
                )
                .await?
            }
            Err(e) if e.status() == 404 => eprintln!("Port {port} is deleted"),
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}
