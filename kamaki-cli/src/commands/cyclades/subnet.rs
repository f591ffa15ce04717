//! `kamaki subnet`: the address ranges of networks.

use clap::{ArgGroup, Args, Subcommand};
use kamaki::clients::cyclades::CycladesNetworkClient;
use kamaki::clients::network::{
    AllocationPool, CreateSubnetOptions, GatewayIp, UpdateSubnetOptions,
};
use serde_json::json;

use super::network;
use super::port::missing_network;
use crate::commands::common::{
    not_found, print_list, raw_list, text, IdFilter, ListStyle, NameFilter, ID_NAME,
};
use crate::context::Ctx;
use crate::error::{CliError, CliResult};

/// `subnet` commands.
#[derive(Debug, Subcommand)]
pub enum SubnetCmd {
    /// List subnets.
    List {
        /// Show every field.
        #[arg(short = 'l', long)]
        details: bool,
        /// Show the results through a pager.
        #[arg(long)]
        more: bool,
        #[command(flatten)]
        names: NameFilter,
        #[command(flatten)]
        ids: IdFilter,
    },
    /// Details on a subnet.
    Info {
        /// The subnet id.
        subnet_id: String,
    },
    /// Create a subnet on a network.
    Create(CreateArgs),
    /// Rename a subnet.
    Modify {
        /// The subnet id.
        subnet_id: String,
        /// The new name.
        #[arg(long, required = true)]
        name: String,
    },
}

/// `subnet create` options.
#[derive(Args, Debug)]
#[command(group(ArgGroup::new("gateways").args(["gateway", "no_gateway"])))]
pub struct CreateArgs {
    /// The network.
    #[arg(long = "network-id", required = true)]
    network_id: String,
    /// Its addresses, e.g. 10.0.0.0/24.
    #[arg(long, required = true)]
    cidr: String,
    /// Its name.
    #[arg(long)]
    name: Option<String>,
    /// A range to give addresses from: START,END (repeatable).
    #[arg(long = "alloc-pool", value_name = "START,END")]
    alloc_pool: Vec<String>,
    /// The gateway IP.
    #[arg(long)]
    gateway: Option<String>,
    /// No gateway at all.
    #[arg(long = "no-gateway")]
    no_gateway: bool,
    /// An id for the subnet.
    #[arg(long)]
    id: Option<String>,
    /// IPv6 (else IPv4).
    #[arg(long)]
    ipv6: bool,
    /// Give addresses by DHCP.
    #[arg(long = "with-dhcp")]
    with_dhcp: bool,
}

fn parse_pool(pool: &str) -> CliResult<AllocationPool> {
    match pool.split_once(',') {
        Some((start, end)) if !start.is_empty() && !end.is_empty() => {
            Ok(AllocationPool::new(start, end))
        }
        _ => Err(CliError::new(format!(
            "Invalid allocation pool argument {pool}: use <start address>,<end address>"
        ))),
    }
}

/// Runs a `subnet` command.
pub async fn run(ctx: &mut Ctx, cmd: SubnetCmd) -> CliResult {
    let net = network(ctx).await?;
    match cmd {
        SubnetCmd::List {
            details,
            more,
            names,
            ids,
        } => list(ctx, &net, details, more, &names, &ids).await,
        SubnetCmd::Info { subnet_id } => info(ctx, &net, &subnet_id).await,
        SubnetCmd::Create(args) => create(ctx, &net, args).await,
        SubnetCmd::Modify { subnet_id, name } => modify(ctx, &net, &subnet_id, name).await,
    }
}

/// `subnet list`: ids, names and networks, or every field with `-l`.
async fn list(
    ctx: &mut Ctx,
    net: &CycladesNetworkClient,
    details: bool,
    more: bool,
    names: &NameFilter,
    ids: &IdFilter,
) -> CliResult {
    let reply = net.subnets_get(None).await?;
    let mut items = ids.apply(names.apply(raw_list(&reply, "subnets")?));
    let mut title = ID_NAME;
    if !details {
        items = items
            .iter()
            .map(|s| {
                json!({
                    "id": s.get("id"),
                    "name": s.get("name"),
                    "net": format!("( of network {} )", text(s, "network_id")),
                })
            })
            .collect();
        title = &["id", "name", "net"];
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

/// `subnet info`: the subnet as the server sent it.
async fn info(ctx: &mut Ctx, net: &CycladesNetworkClient, subnet_id: &str) -> CliResult {
    let reply = net.subnets_get(Some(subnet_id)).await.map_err(not_found(
        "subnet",
        subnet_id,
        "kamaki subnet list",
    ))?;
    // The whole reply, `{"subnet": {...}}`, as kamaki prints it.
    ctx.out.print_value(&reply.json()?)
}

/// `subnet create`: a failure names the network if it is missing.
async fn create(ctx: &mut Ctx, net: &CycladesNetworkClient, args: CreateArgs) -> CliResult {
    let CreateArgs {
        network_id,
        cidr,
        name,
        alloc_pool,
        gateway,
        no_gateway,
        id,
        ipv6,
        with_dhcp,
    } = args;
    let options = CreateSubnetOptions {
        name,
        allocation_pools: alloc_pool
            .iter()
            .map(|p| parse_pool(p))
            .collect::<CliResult<_>>()?,
        gateway_ip: match (gateway, no_gateway) {
            (_, true) => GatewayIp::NoGateway,
            (Some(ip), false) => GatewayIp::Address(ip),
            (None, false) => GatewayIp::Auto,
        },
        subnet_id: id,
        ipv6,
        enable_dhcp: with_dhcp.then_some(true),
    };
    match net.create_subnet(&network_id, &cidr, &options).await {
        Ok(subnet) => ctx.out.print(&subnet),
        Err(e) => match missing_network(net, &network_id, e.status()).await {
            Some(missing) => Err(missing),
            None => Err(e.into()),
        },
    }
}

/// `subnet modify`: a new name.
async fn modify(
    ctx: &mut Ctx,
    net: &CycladesNetworkClient,
    subnet_id: &str,
    name: String,
) -> CliResult {
    let options = UpdateSubnetOptions {
        name: Some(name),
        ..Default::default()
    };
    let subnet = net
        .update_subnet(subnet_id, &options)
        .await
        .map_err(|e| match e.status() {
            401 | 403 => CliError::new(format!(
                "Insufficient permissions for this action ({}): is subnet {subnet_id} yours? see kamaki subnet info {subnet_id}",
                e.status()
            ))
            .detail(e.to_string()),
            _ => not_found("subnet", subnet_id, "kamaki subnet list")(e),
        })?;
    ctx.out.print(&subnet)
}

#[cfg(test)]
mod tests {
    #[test]
    fn pools() {
        let p = super::parse_pool("10.0.0.2,10.0.0.9").unwrap();
        assert_eq!((p.start.as_str(), p.end.as_str()), ("10.0.0.2", "10.0.0.9"));
        assert!(super::parse_pool("10.0.0.2").is_err());
        assert!(super::parse_pool(",x").is_err());
    }
}
