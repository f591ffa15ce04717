//! `kamaki sharer` (the accounts that share objects with the user) and
//! `kamaki group` (the user groups of an account, for permissions).

use clap::{ArgGroup, Subcommand};
use serde_json::Value;

use super::common::{account_uuid, confirm, headers_value, to_value, AccountArg, Target};
use crate::commands::common::{print_list, ListStyle, ID_NAME};
use crate::context::Ctx;
use crate::error::{CliError, CliResult};

/// `sharer` commands.
#[derive(Debug, Subcommand)]
pub enum SharerCmd {
    /// List the accounts that share objects with you.
    List {
        /// Every field (the last modification too).
        #[arg(short = 'l', long)]
        details: bool,
        /// Only accounts after this one.
        #[arg(long)]
        marker: Option<String>,
        #[command(flatten)]
        account: AccountArg,
    },
    /// Details on an account (default: yours).
    Info {
        /// The account: a user uuid or name.
        account_uuid_or_name: Option<String>,
        #[command(flatten)]
        account: AccountArg,
    },
}

/// `group` commands.
#[derive(Debug, Subcommand)]
pub enum GroupCmd {
    /// List the groups and their members.
    List {
        #[command(flatten)]
        account: AccountArg,
    },
    /// Create (or replace) a group of users.
    #[command(group(ArgGroup::new("users").required(true).multiple(true).args(["uuid", "username"])))]
    Create {
        /// The group's name.
        groupname: String,
        /// A member, by uuid (repeatable).
        #[arg(long)]
        uuid: Vec<String>,
        /// A member, by user name (repeatable).
        #[arg(long)]
        username: Vec<String>,
        /// Replace an existing group without asking.
        #[arg(long)]
        yes: bool,
        #[command(flatten)]
        account: AccountArg,
    },
    /// Delete a group.
    Delete {
        /// The group's name.
        groupname: String,
        #[command(flatten)]
        account: AccountArg,
    },
}

/// Runs a `sharer` command.
pub async fn sharer(ctx: &mut Ctx, cmd: SharerCmd) -> CliResult {
    match cmd {
        SharerCmd::List {
            details,
            marker,
            account,
        } => {
            let target = Target::account(ctx, &account).await?;
            let accounts = target
                .client
                .get_sharing_accounts(None, marker.as_deref())
                .await?;
            let mut items: Vec<Value> = accounts.iter().map(to_value).collect::<CliResult<_>>()?;
            if ctx.json() {
                return ctx.out.print_value(&Value::Array(items));
            }
            let uuids: Vec<&str> = accounts.iter().map(|a| a.name.as_str()).collect();
            let names = match ctx.astakos() {
                Ok(astakos) if !uuids.is_empty() => {
                    astakos.get_usernames(&uuids).await.unwrap_or_default()
                }
                _ => Default::default(),
            };
            for item in &mut items {
                if let Value::Object(map) = item {
                    let uuid = map
                        .get("name")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string();
                    let name = names.get(&uuid).cloned().unwrap_or_default();
                    map.insert("id".into(), Value::from(uuid));
                    map.insert("name".into(), Value::from(name));
                    if !details {
                        map.remove("last_modified");
                    }
                }
            }
            print_list(
                ctx,
                items,
                ListStyle {
                    title: ID_NAME,
                    ..ListStyle::default()
                },
            )
        }
        SharerCmd::Info {
            account_uuid_or_name,
            account,
        } => {
            let mut target = Target::account(ctx, &account).await?;
            if let Some(who) = account_uuid_or_name {
                let uuid = account_uuid(ctx, &who).await?;
                target.client = target.client.clone().with_account(uuid);
            }
            let info = target.client.get_account_info(None).await?;
            ctx.out.print_value(&headers_value(&info, None))
        }
    }
}

const GROUP_PREFIX: &str = "x-account-group-";

/// The account's groups: name -> comma-separated member uuids.
async fn groups(target: &Target) -> CliResult<Value> {
    let headers = target.client.get_account_group().await?;
    Ok(headers_value(&headers, Some(GROUP_PREFIX)))
}

/// Runs a `group` command.
pub async fn group(ctx: &mut Ctx, cmd: GroupCmd) -> CliResult {
    match cmd {
        GroupCmd::List { account } => {
            let target = Target::account(ctx, &account).await?;
            let groups = groups(&target).await?;
            ctx.out.print_value(&groups)
        }
        GroupCmd::Create {
            groupname,
            uuid,
            username,
            yes,
            account,
        } => {
            let target = Target::account(ctx, &account).await?;
            let mut members = uuid;
            if !username.is_empty() {
                let astakos = ctx.astakos()?;
                let names: Vec<&str> = username.iter().map(String::as_str).collect();
                let found = astakos.get_uuids(&names).await?;
                for name in &username {
                    match found.get(name) {
                        Some(uuid) => members.push(uuid.clone()),
                        None => {
                            return Err(CliError::new(format!(
                                "No user named {name} (see kamaki user name2uuid {name})"
                            )))
                        }
                    }
                }
            }
            let existing = groups(&target).await?;
            let key = groupname.to_lowercase();
            if existing.get(&key).is_some()
                && !confirm(
                    &format!("Group {groupname} already exists, overwrite?"),
                    yes,
                )
            {
                return Err(CliError::aborted());
            }
            target
                .client
                .set_account_group(&groupname, &members)
                .await?;
            let groups = groups(&target).await?;
            ctx.out.print_value(&groups)
        }
        GroupCmd::Delete { groupname, account } => {
            let target = Target::account(ctx, &account).await?;
            let existing = groups(&target).await?;
            if existing.get(groupname.to_lowercase()).is_none() {
                let names: Vec<String> = existing
                    .as_object()
                    .map(|m| m.keys().cloned().collect())
                    .unwrap_or_default();
                return Err(CliError::new(format!(
                    "No group {groupname} (the groups are: {}; see kamaki group list)",
                    if names.is_empty() {
                        "none".to_string()
                    } else {
                        names.join(", ")
                    }
                )));
            }
            target.client.del_account_group(&groupname).await?;
            let groups = groups(&target).await?;
            ctx.out.print_value(&groups)
        }
    }
}
