//! `kamaki service` and `kamaki commission`: Astakos calls for services
//! (hidden in kamaki unless `service_cli`/`commission_cli` are set; always
//! available here).

use std::collections::BTreeMap;
use std::path::PathBuf;

use clap::Subcommand;
use kamaki::clients::astakos::AstakosClient;
use kamaki::clients::ClientError;
use serde_json::Value;

use crate::commands::project::id_error;
use crate::context::Ctx;
use crate::error::{CliError, CliResult};

/// `service` commands.
#[derive(Debug, Subcommand)]
pub enum ServiceCmd {
    /// List the services of the cloud.
    List,
    /// User names of uuids, as a service sees them.
    Uuid2username {
        /// The service's token.
        #[arg(long = "service-token", required = true, value_name = "TOKEN")]
        service_token: String,
        /// A user uuid (may repeat).
        #[arg(long = "uuid", required = true, value_name = "UUID")]
        uuids: Vec<String>,
    },
    /// User uuids of names, as a service sees them.
    Username2uuid {
        /// The service's token.
        #[arg(long = "service-token", required = true, value_name = "TOKEN")]
        service_token: String,
        /// A user name (may repeat).
        #[arg(long = "username", required = true, value_name = "NAME")]
        usernames: Vec<String>,
    },
    /// Quotas of the service's resources, of every user or of one.
    Quotas {
        /// The service's token.
        #[arg(long = "service-token", required = true, value_name = "TOKEN")]
        service_token: String,
        /// Only this user.
        #[arg(long, value_name = "UUID")]
        uuid: Option<String>,
    },
}

/// `commission` commands (service tokens).
#[derive(Debug, Subcommand)]
pub enum CommissionCmd {
    /// List the serials of pending commissions.
    Pending,
    /// Details of a pending commission.
    Info {
        /// The commission serial.
        commission_id: String,
    },
    /// Accept a pending commission.
    Accept {
        /// The commission serial.
        commission_id: String,
    },
    /// Reject a pending commission.
    Reject {
        /// The commission serial.
        commission_id: String,
    },
    /// Accept and reject several commissions.
    #[command(group(clap::ArgGroup::new("ids").required(true).multiple(true).args(["accept", "reject"])))]
    Resolve {
        /// Serials to accept, e.g. --accept=11,12,13.
        #[arg(long, value_name = "IDS")]
        accept: Option<String>,
        /// Serials to reject, e.g. --reject=14,15.
        #[arg(long, value_name = "IDS")]
        reject: Option<String>,
    },
    /// Issue a commission for a user in a project; prints its serial.
    Issue {
        /// The user's uuid (the holder).
        #[arg(long, required = true, value_name = "UUID")]
        uuid: String,
        /// The project charged (its id, `project:<id>`, or `system` for the
        /// user's own project).
        #[arg(long, required = true, value_name = "PROJECT")]
        source: String,
        /// A JSON file of the provisions: {"<resource>": <quantity>, ...}.
        #[arg(long = "provisions-file", required = true, value_name = "PATH")]
        provisions_file: PathBuf,
        /// A description.
        #[arg(long)]
        description: Option<String>,
        /// Succeed even over a limit.
        #[arg(long)]
        force: bool,
        /// Accept the commission at once.
        #[arg(long)]
        accept: bool,
    },
}

/// An identity client with a service token.
fn service_client(ctx: &mut Ctx, token: &str) -> CliResult<AstakosClient> {
    let cloud = ctx.session.cloud(ctx.global.cloud.as_deref())?;
    ctx.session.astakos_for(&cloud.url, token)
}

/// Runs a `service` command.
pub async fn run(ctx: &mut Ctx, cmd: ServiceCmd) -> CliResult {
    match cmd {
        ServiceCmd::List => {
            // What kamaki 0.16 lists: the web UI's services.
            let services = ctx.astakos()?.get_ui_services().await?;
            ctx.out.print_value(&Value::Array(services))
        }
        ServiceCmd::Uuid2username {
            service_token,
            uuids,
        } => {
            let astakos = service_client(ctx, &service_token)?;
            if let [uuid] = &uuids[..] {
                return ctx.out.print(&astakos.service_get_username(uuid).await?);
            }
            let refs: Vec<&str> = uuids.iter().map(String::as_str).collect();
            ctx.out.print(&astakos.service_get_usernames(&refs).await?)
        }
        ServiceCmd::Username2uuid {
            service_token,
            usernames,
        } => {
            let astakos = service_client(ctx, &service_token)?;
            if let [name] = &usernames[..] {
                return ctx.out.print(&astakos.service_get_uuid(name).await?);
            }
            let refs: Vec<&str> = usernames.iter().map(String::as_str).collect();
            ctx.out.print(&astakos.service_get_uuids(&refs).await?)
        }
        ServiceCmd::Quotas {
            service_token,
            uuid,
        } => {
            let astakos = service_client(ctx, &service_token)?;
            let users: Vec<&str> = uuid.iter().map(String::as_str).collect();
            ctx.out
                .print(&astakos.service_get_quotas(&users, &[]).await?)
        }
    }
}

fn serial(text: &str) -> CliResult<u64> {
    text.trim().parse().map_err(|_| {
        CliError::new(format!(
            "Invalid commission id {text:?}: an integer (see kamaki commission pending)"
        ))
    })
}

fn on_commission(id: &str) -> impl FnOnce(ClientError) -> CliError + '_ {
    move |e| id_error(e, "commission", id, "commission pending")
}

fn serials(text: Option<&str>) -> CliResult<Vec<u64>> {
    text.unwrap_or("")
        .split(',')
        .filter(|s| !s.trim().is_empty())
        .map(serial)
        .collect()
}

/// Reads `{"<resource>": <quantity>}`.
fn load_provisions(path: &PathBuf) -> CliResult<BTreeMap<String, i64>> {
    let bad = |why: String| {
        CliError::new(format!(
            "Failed to load the provisions from {}: {why} (expected {{\"<resource>\": <quantity>, ...}})",
            path.display()
        ))
    };
    let text = std::fs::read_to_string(path).map_err(|e| bad(e.to_string()))?;
    let value: Value = serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
    let Value::Object(map) = value else {
        return Err(bad("not a JSON object".into()));
    };
    map.into_iter()
        .map(|(resource, quantity)| match quantity.as_i64() {
            Some(q) => Ok((resource, q)),
            None => Err(bad(format!("the quantity of {resource} is not an integer"))),
        })
        .collect()
}

/// Runs a `commission` command.
pub async fn run_commission(ctx: &mut Ctx, cmd: CommissionCmd) -> CliResult {
    let astakos = ctx.astakos()?;
    match cmd {
        CommissionCmd::Pending => ctx.out.print(&astakos.get_pending_commissions().await?),
        CommissionCmd::Info { commission_id: id } => {
            let info = astakos
                .get_commission_info(serial(&id)?)
                .await
                .map_err(on_commission(&id))?;
            ctx.out.print(&info)
        }
        CommissionCmd::Accept { commission_id: id } => astakos
            .accept_commission(serial(&id)?)
            .await
            .map_err(on_commission(&id)),
        CommissionCmd::Reject { commission_id: id } => astakos
            .reject_commission(serial(&id)?)
            .await
            .map_err(on_commission(&id)),
        CommissionCmd::Resolve { accept, reject } => {
            let (accept, reject) = (serials(accept.as_deref())?, serials(reject.as_deref())?);
            ctx.out
                .print(&astakos.resolve_commissions(&accept, &reject).await?)
        }
        CommissionCmd::Issue {
            uuid,
            source,
            provisions_file,
            description,
            force,
            accept,
        } => {
            // kamaki passes these to an outdated call and fails; the
            // provisions charge the user in the source project here.
            let provisions = load_provisions(&provisions_file)?;
            let project = match source.strip_prefix("project:").unwrap_or(&source) {
                "system" => uuid.as_str(),
                other => other,
            };
            let list: Vec<(&str, &str, i64)> = provisions
                .iter()
                .map(|(resource, quantity)| (project, resource.as_str(), *quantity))
                .collect();
            let serial = astakos
                .issue_one_commission(
                    &uuid,
                    &list,
                    description.as_deref().unwrap_or(""),
                    force,
                    accept,
                )
                .await?;
            ctx.out.print(&serial)
        }
    }
}
