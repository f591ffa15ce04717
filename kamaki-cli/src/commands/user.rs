//! `kamaki user`: the Astakos user of the session.

use std::collections::BTreeMap;

use clap::Subcommand;
use serde_json::{json, Value};

use crate::context::Ctx;

mod session;
use crate::error::{CliError, CliResult};

/// `user` commands.
#[derive(Debug, Subcommand)]
pub enum UserCmd {
    /// Authenticate a token (the session's if none given) and print the
    /// access document: token (its id redacted), user and service catalog.
    Authenticate {
        /// Another token to authenticate.
        token: Option<String>,
    },
    /// Information on the session user (or another user of the session).
    Info {
        /// A user of the session, by uuid.
        #[arg(long, conflicts_with = "username")]
        uuid: Option<String>,
        /// A user of the session, by name.
        #[arg(long)]
        username: Option<String>,
    },
    /// Translate user uuids to names.
    Uuid2name {
        /// The uuids.
        #[arg(required = true)]
        uuids: Vec<String>,
    },
    /// Translate user names (emails) to uuids.
    Name2uuid {
        /// The names.
        #[arg(required = true)]
        usernames: Vec<String>,
    },
    /// List the users of the session (one per token of the cloud).
    List {
        /// Every field, not just id and name.
        #[arg(short = 'l', long)]
        detail: bool,
    },
    /// Make a project the user's default one.
    Setdefaultproject {
        /// The project id.
        project_id: String,
    },
    /// Authenticate another token and print its access document; offers to
    /// append it to the cloud's tokens in the config file (asked on a
    /// terminal; -y saves without asking; otherwise not saved).
    Add {
        /// The token of the user to add.
        #[arg(long, required = true)]
        token: String,
        /// Save the token in the config file without asking.
        #[arg(short = 'y', long)]
        yes: bool,
    },
    /// Make a session user (a token of the cloud) the default one: its token
    /// moves first in the config file (asked on a terminal; -y saves without
    /// asking; otherwise not saved).
    Select {
        /// The user: uuid or user name.
        #[arg(long, required = true, value_name = "UUID|NAME")]
        user: String,
        /// Save the choice in the config file without asking.
        #[arg(short = 'y', long)]
        yes: bool,
    },
    /// Drop a session user other than the current one: its token leaves
    /// the config file (asked on a terminal; -y removes it without asking;
    /// otherwise kept).
    Delete {
        /// The user: uuid or user name.
        #[arg(long, required = true, value_name = "UUID|NAME")]
        user: String,
        /// Remove the token from the config file without asking.
        #[arg(short = 'y', long)]
        yes: bool,
    },
}

/// Runs a `user` command.
pub async fn run(ctx: &mut Ctx, cmd: UserCmd) -> CliResult {
    match cmd {
        UserCmd::Authenticate { token } => {
            let astakos = match &token {
                Some(token) => {
                    let cloud = ctx.session.cloud(ctx.global.cloud.as_deref())?;
                    ctx.session.astakos_for(&cloud.url, token)?
                }
                None => ctx.astakos()?,
            };
            let info = astakos.authenticate().await.map_err(|e| match e.status() {
                401 => CliError::new("Token was not authenticated (401 Unauthorized): check it, or set a new one with kamaki config set cloud.<name>.token TOKEN"),
                _ => e.into(),
            })?;
            // The token is not printed (the config has it): the rest is.
            let mut info = serde_json::to_value(&info).unwrap_or(Value::Null);
            if let Some(id) = info.pointer_mut("/access/token/id") {
                *id = json!("...");
            }
            ctx.out.print_value(&info)
        }
        UserCmd::Info { uuid, username } => {
            let users = session_users(ctx).await?;
            let wanted = users.into_iter().find(|u| match (&uuid, &username) {
                (Some(id), _) => u["id"] == json!(id),
                (None, Some(name)) => u["name"] == json!(name),
                (None, None) => true,
            });
            match wanted {
                Some(user) => ctx.out.print_value(&user),
                None => Err(CliError::new(
                    "No such user in this session (see kamaki user list)",
                )),
            }
        }
        UserCmd::Uuid2name { uuids } => {
            let astakos = ctx.astakos()?;
            let refs: Vec<&str> = uuids.iter().map(String::as_str).collect();
            let found = astakos.get_usernames(&refs).await?;
            report_unresolved(&uuids, &found, "uuid");
            print_mapping(ctx, &found)
        }
        UserCmd::Name2uuid { usernames } => {
            let astakos = ctx.astakos()?;
            let refs: Vec<&str> = usernames.iter().map(String::as_str).collect();
            let found = astakos.get_uuids(&refs).await?;
            report_unresolved(&usernames, &found, "user name");
            print_mapping(ctx, &found)
        }
        UserCmd::List { detail } => {
            let users = session_users(ctx).await?;
            if detail {
                return ctx.out.print_value(&Value::Array(users));
            }
            if ctx.json() {
                // kamaki: id and name, all fields with -l.
                let short = users
                    .iter()
                    .map(|u| json!({"id": u["id"], "name": u["name"]}))
                    .collect();
                return ctx.out.print_value(&Value::Array(short));
            }
            for user in users {
                println!(
                    "{} {}",
                    user["id"].as_str().unwrap_or(""),
                    user["name"].as_str().unwrap_or("")
                );
            }
            Ok(())
        }
        UserCmd::Setdefaultproject { project_id } => {
            ctx.astakos()?.user_set_default_project(&project_id).await?;
            Ok(())
        }
        UserCmd::Add { token, yes } => session::add(ctx, &token, yes).await,
        UserCmd::Select { user, yes } => session::select(ctx, &user, yes).await,
        UserCmd::Delete { user, yes } => session::delete(ctx, &user, yes).await,
    }
}

/// The users of the cloud's tokens, each authenticated.
async fn session_users(ctx: &mut Ctx) -> CliResult<Vec<Value>> {
    Ok(session_tokens(ctx)
        .await?
        .into_iter()
        .map(|(_, user)| user)
        .collect())
}

/// The cloud's tokens that authenticate, each with its user.
pub(crate) async fn session_tokens(ctx: &mut Ctx) -> CliResult<Vec<(String, Value)>> {
    let cloud = ctx.session.cloud(ctx.global.cloud.as_deref())?;
    let mut users = Vec::new();
    for (i, token) in cloud.tokens.iter().enumerate() {
        let astakos = ctx.session.astakos_for(&cloud.url, token)?;
        // The user as the server sent it (`user_info()` adds the default
        // project; kamaki's `user info` and `user list` print no such field).
        match astakos.authenticate().await {
            Ok(auth) => users.push((
                token.clone(),
                serde_json::to_value(auth.access.user).unwrap_or(Value::Null),
            )),
            Err(e) if i > 0 && e.status() == 401 => {
                eprintln!(
                    "Token {} of cloud \"{}\" was not authenticated (401): skipped",
                    i + 1,
                    cloud.name
                )
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(users)
}

fn report_unresolved(asked: &[String], found: &BTreeMap<String, String>, what: &str) {
    for item in asked.iter().filter(|a| !found.contains_key(*a)) {
        eprintln!("No {what} {item} found");
    }
}

fn print_mapping(ctx: &Ctx, found: &BTreeMap<String, String>) -> CliResult {
    if ctx.json() {
        return ctx.out.print(found);
    }
    for (key, value) in found {
        println!("{key}: {value}");
    }
    Ok(())
}
