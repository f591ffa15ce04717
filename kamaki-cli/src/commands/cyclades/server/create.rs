//! `kamaki server create`: one server or a cluster of them, with
//! personality files and networks, and errors that say what to fix.

use std::collections::BTreeMap;
use std::sync::Arc;

use kamaki::clients::compute::{
    CreateServerOptions, ListServersOptions, Personality, Server, ServerNetwork,
};
use kamaki::clients::cyclades::CycladesComputeClient;
use kamaki::clients::ClientError;
use serde_json::Value;

use super::power::wait_server;
use super::CreateArgs;
use crate::commands::common::{key_values, not_found};
use crate::commands::cyclades::waiter::{Goal, DEFAULT_TIMEOUT};
use crate::commands::cyclades::{compute, network};
use crate::context::Ctx;
use crate::error::{CliError, CliResult};

/// Parses a `--personality` term list into a file to inject.
pub(super) fn parse_personality(spec: &str) -> CliResult<Personality> {
    const TERMS: [&str; 5] = ["local-path", "server-path", "owner", "group", "mode"];
    let howto = "syntax: [local-path=]PATH[,[server-path=]SERVER_PATH[,[owner=]OWNER[,[group=]GROUP[,[mode=]MODE]]]], e.g. -p /tmp/my.file,owner=root,mode=0777";
    let mut terms: Vec<&str> = spec.split(',').collect();
    if terms.len() > TERMS.len() {
        return Err(CliError::new(format!(
            "Invalid --personality {spec}: 1 to 5 terms ({howto})"
        )));
    }
    let mut named: BTreeMap<&str, String> = BTreeMap::new();
    for key in TERMS {
        let prefix = format!("{key}=");
        if let Some(pos) = terms
            .iter()
            .position(|t| t.to_lowercase().starts_with(&prefix))
        {
            named.insert(key, terms[pos][prefix.len()..].to_string());
            terms.remove(pos);
        }
    }
    let mut positional = terms.into_iter().map(str::to_string);
    let local = match named.remove("local-path") {
        Some(path) => path,
        None => positional.next().unwrap_or_default(),
    };
    if local.is_empty() {
        return Err(CliError::new(format!(
            "Invalid --personality {spec}: no local path ({howto})"
        )));
    }
    let contents = std::fs::read(&local)
        .map_err(|e| CliError::new(format!("--personality: cannot read {local}: {e} ({howto})")))?;
    let mut personality = Personality::new(local.clone(), contents);
    let mut next = |key: &str| named.remove(key).or_else(|| positional.next());
    if let Some(path) = next("server-path") {
        personality.path = path;
    }
    personality.owner = next("owner").filter(|o| !o.is_empty());
    personality.group = next("group").filter(|g| !g.is_empty());
    if let Some(mode) = next("mode").filter(|m| !m.is_empty()) {
        let parsed = u32::from_str_radix(mode.trim_start_matches("0o"), 8).map_err(|_| {
            CliError::new(format!(
                "Invalid --personality mode {mode}: use octal, e.g. 0644"
            ))
        })?;
        personality.mode = Some(parsed);
    }
    Ok(personality)
}

/// Parses `--network [id=]NETWORK_ID[,[ip=]IP]`.
pub(super) fn parse_network(spec: &str) -> CliResult<ServerNetwork> {
    let bad = || {
        CliError::new(format!(
            "Invalid network argument {spec}: use [id=]NETWORK_ID[,[ip=]IP]"
        ))
    };
    let (first, second) = spec.split_once(',').unwrap_or((spec, ""));
    let (mut net, mut ip) = (String::new(), String::new());
    if let Some(id) = first.strip_prefix("id=") {
        net = id.to_string();
    } else if let Some(address) = first.strip_prefix("ip=") {
        ip = address.to_string();
    } else {
        net = first.to_string();
    }
    if !second.is_empty() {
        if (second.starts_with("id=") && !net.is_empty())
            || (second.starts_with("ip=") && !ip.is_empty())
        {
            return Err(bad());
        }
        if let Some(id) = second.strip_prefix("id=") {
            net = id.to_string();
        } else if let Some(address) = second.strip_prefix("ip=") {
            ip = address.to_string();
        } else if !net.is_empty() {
            ip = second.to_string();
        } else {
            net = second.to_string();
        }
    }
    if net.is_empty() {
        return Err(bad());
    }
    Ok(if ip.is_empty() {
        ServerNetwork::network(net)
    } else {
        ServerNetwork::network_with_ip(net, ip)
    })
}

pub(super) async fn create(ctx: &mut Ctx, args: CreateArgs) -> CliResult {
    let personality = args
        .personality
        .iter()
        .map(|p| parse_personality(p))
        .collect::<CliResult<Vec<_>>>()?;
    let networks = args
        .network
        .iter()
        .map(|n| parse_network(n))
        .collect::<CliResult<Vec<_>>>()?;
    let user_data = match &args.user_data {
        Some(path) => Some(std::fs::read(path).map_err(|e| {
            CliError::new(format!("cannot read --user-data {}: {e}", path.display()))
        })?),
        None => None,
    };
    let options = CreateServerOptions {
        metadata: key_values(&args.metadata)?,
        personality,
        networks: if args.no_network {
            Some(Vec::new())
        } else if networks.is_empty() {
            None
        } else {
            Some(networks)
        },
        project: args.project_id.clone(),
        key_names: args.key_name.clone(),
        user_data,
        ..Default::default()
    };
    let compute = compute(ctx).await?;
    let size = args.cluster_size.unwrap_or(1);
    let names: Vec<String> = if size == 1 {
        vec![args.name.clone()]
    } else {
        (1..=size).map(|i| format!("{}{i}", args.name)).collect()
    };
    let flavor = args.flavor_id.to_string();
    let created = create_all(
        &compute,
        &names,
        &flavor,
        &args.image_id,
        &options,
        args.threads.unwrap_or(1),
    )
    .await;
    let servers = match created {
        Ok(servers) => servers,
        Err(error) => {
            if names.len() > 1 {
                report_spawned(&compute, &names).await;
            }
            return Err(explain_create_error(ctx, &compute, &args, &options, error).await);
        }
    };
    if ctx.json() {
        // As the server sent them (integer ids, nulls), as kamaki prints.
        let raw: Vec<Value> = servers.iter().map(|(_, raw)| raw.clone()).collect();
        match raw.as_slice() {
            [server] => ctx.out.print_value(server)?,
            _ => ctx.out.print_value(&Value::Array(raw))?,
        }
    } else {
        for (i, (server, _)) in servers.iter().enumerate() {
            if i > 0 {
                println!();
            }
            ctx.out.print(server)?;
        }
    }
    if args.wait.wait {
        for (server, _) in &servers {
            let status = if server.status.is_empty() {
                "BUILD"
            } else {
                server.status.as_str()
            };
            wait_server(
                &compute,
                &server.id,
                Goal::While(status.to_string()),
                DEFAULT_TIMEOUT,
                args.wait.no_progress_bar,
            )
            .await?;
        }
    }
    Ok(())
}

/// Creates one server; the reply's server, typed and as sent.
async fn create_one(
    compute: &CycladesComputeClient,
    name: &str,
    flavor: &str,
    image: &str,
    options: &CreateServerOptions,
) -> Result<(Server, Value), ClientError> {
    let options = compute.options_for_image(image, options).await?;
    let body = options
        .body(name, flavor, image)
        .map_err(|e| ClientError::InvalidRequest(format!("cannot encode the server: {e}")))?;
    let reply = compute.servers_post(&body).await?;
    let mut whole: Value = reply.json()?;
    let raw =
        whole
            .get_mut("server")
            .map(Value::take)
            .ok_or_else(|| ClientError::InvalidResponse {
                url: reply.url().to_string(),
                message: "the reply names no server".into(),
            })?;
    let server = serde_json::from_value(raw.clone()).map_err(|e| ClientError::InvalidResponse {
        url: reply.url().to_string(),
        message: format!("unexpected server: {e}"),
    })?;
    Ok((server, raw))
}

/// Creates the servers, `threads` at a time, in the order of `names`.
pub(super) async fn create_all(
    compute: &CycladesComputeClient,
    names: &[String],
    flavor: &str,
    image: &str,
    options: &CreateServerOptions,
    threads: u32,
) -> Result<Vec<(Server, Value)>, ClientError> {
    let limit = Arc::new(tokio::sync::Semaphore::new(threads.max(1) as usize));
    let mut tasks = tokio::task::JoinSet::new();
    for (i, name) in names.iter().enumerate() {
        let (compute, name, flavor, image, options, limit) = (
            compute.clone(),
            name.clone(),
            flavor.to_string(),
            image.to_string(),
            options.clone(),
            limit.clone(),
        );
        tasks.spawn(async move {
            let _permit = limit.acquire_owned().await;
            (
                i,
                create_one(&compute, &name, &flavor, &image, &options).await,
            )
        });
    }
    let mut servers: Vec<Option<(Server, Value)>> = vec![None; names.len()];
    let mut first_error = None;
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok((i, Ok(server))) => servers[i] = Some(server),
            Ok((_, Err(e))) => {
                first_error.get_or_insert(e);
            }
            Err(e) => {
                first_error.get_or_insert(ClientError::InvalidRequest(format!(
                    "server creation stopped: {e}"
                )));
            }
        }
    }
    match first_error {
        Some(e) => Err(e),
        None => Ok(servers.into_iter().flatten().collect()),
    }
}

/// After a failed cluster creation, says which of its servers exist.
pub(super) async fn report_spawned(compute: &CycladesComputeClient, names: &[String]) {
    eprintln!("Failed to build {} servers", names.len());
    match compute
        .list_servers(false, &ListServersOptions::default())
        .await
    {
        Ok(all) => {
            let spawned: Vec<&Server> = all.iter().filter(|s| names.contains(&s.name)).collect();
            eprintln!("Found {} matching servers:", spawned.len());
            for server in spawned {
                eprintln!("{} {}", server.id, server.name);
            }
            eprintln!("Check if any of these servers should be removed");
        }
        Err(e) => eprintln!("Error ({e}) while notifying about errors"),
    }
}

/// Turns a failed creation into the most specific error kamaki gives: a
/// missing flavor, image, network or IP, else the cloud's own message.
pub(super) async fn explain_create_error(
    ctx: &mut Ctx,
    compute: &CycladesComputeClient,
    args: &CreateArgs,
    options: &CreateServerOptions,
    error: ClientError,
) -> CliError {
    let status = error.status();
    if matches!(status, 400 | 404) {
        let flavor = args.flavor_id.to_string();
        if let Err(e) = compute.get_flavor_details(&flavor).await {
            if matches!(e.status(), 400 | 404) {
                return not_found("flavor", &flavor, "kamaki flavor list")(e);
            }
        }
        if let Err(e) = compute.get_image_details(&args.image_id).await {
            if matches!(e.status(), 400 | 404) {
                return CliError::new(format!(
                    "No image with id {} ({}): see kamaki image list",
                    args.image_id,
                    e.status()
                ))
                .detail(e.to_string());
            }
        }
    }
    if matches!(status, 400 | 404 | 409) {
        let wanted = options.networks.clone().unwrap_or_default();
        if !wanted.is_empty() {
            if let Ok(net) = network(ctx).await {
                for want in &wanted {
                    let id = want.uuid.clone().unwrap_or_default();
                    if let Err(e) = net.get_network_details(&id).await {
                        if matches!(e.status(), 400 | 404) {
                            return CliError::new(format!(
                                "No network with id {id} ({}): see kamaki network list",
                                e.status()
                            ))
                            .detail(error.to_string());
                        }
                    }
                    if let Some(ip) = &want.fixed_ip {
                        if let Some(problem) = ip_problem(&net, ip, &id, status).await {
                            return CliError::new(format!("{problem} ({status}): see kamaki ip list; reserve one with kamaki ip create"))
                                .detail(error.to_string());
                        }
                    }
                }
            }
        }
    }
    if args.project_id.is_some() && matches!(status, 400 | 403 | 404) {
        return CliError::from(error).hint("check --project-id: see kamaki project list");
    }
    error.into()
}

/// What is wrong with using floating IP `ip` on network `network_id`, if
/// anything can be told.
pub(super) async fn ip_problem(
    net: &kamaki::clients::cyclades::CycladesNetworkClient,
    ip: &str,
    network_id: &str,
    status: u16,
) -> Option<String> {
    let ips = net.list_floatingips().await.ok()?;
    let Some(found) = ips.iter().find(|f| f.floating_ip_address == ip) else {
        return Some(format!("IP {ip} not available for current user"));
    };
    if status == 409 {
        if found.floating_network_id != network_id {
            return Some(format!(
                "IP {ip} belongs to network {}, not {network_id}",
                found.floating_network_id
            ));
        }
        if let Some(device) = &found.instance_id {
            return Some(format!("IP {ip} is already used by device {device}"));
        }
    }
    None
}
