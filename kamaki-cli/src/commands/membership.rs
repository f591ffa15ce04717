//! `kamaki membership`: project memberships.

use clap::{Args, Subcommand};

use crate::commands::project::id_error;
use crate::context::Ctx;
use crate::error::{CliError, CliResult};

/// `membership` commands.
#[derive(Debug, Subcommand)]
pub enum MembershipCmd {
    /// List the memberships the user may see.
    List {
        /// Only memberships of this project.
        #[arg(long = "project-id", value_name = "ID")]
        project_id: Option<String>,
    },
    /// Details of a membership.
    Info {
        /// The membership id.
        membership_id: String,
    },
    /// Leave a project you are a member of.
    Leave(Action),
    /// Cancel your (pending) request to join a project.
    Cancel(Action),
    /// Accept a request to join a project you manage.
    Accept(Action),
    /// Reject a request to join a project you manage.
    Reject(Action),
    /// Remove a member from a project you manage.
    Remove(Action),
}

/// A membership action.
#[derive(Debug, Args)]
pub struct Action {
    /// The membership id.
    membership_id: String,
    /// A reason for the action.
    #[arg(long)]
    reason: Option<String>,
}

fn membership_id(text: &str) -> CliResult<u64> {
    text.trim().parse().map_err(|_| {
        CliError::new(format!(
            "Invalid membership id {text:?}: an integer (see kamaki membership list)"
        ))
    })
}

/// Runs a `membership` command.
pub async fn run(ctx: &mut Ctx, cmd: MembershipCmd) -> CliResult {
    let astakos = ctx.astakos()?;
    let (action, args) = match cmd {
        MembershipCmd::List { project_id } => {
            let memberships = astakos
                .get_memberships(project_id.as_deref())
                .await
                .map_err(|e| match &project_id {
                    Some(id) => id_error(e, "project", id, "project list"),
                    None => e.into(),
                })?;
            return ctx.out.print(&memberships);
        }
        MembershipCmd::Info { membership_id: id } => {
            let membership = astakos
                .get_membership(membership_id(&id)?)
                .await
                .map_err(|e| id_error(e, "membership", &id, "membership list"))?;
            return ctx.out.print(&membership);
        }
        MembershipCmd::Leave(a) => ("leave", a),
        MembershipCmd::Cancel(a) => ("cancel", a),
        MembershipCmd::Accept(a) => ("accept", a),
        MembershipCmd::Reject(a) => ("reject", a),
        MembershipCmd::Remove(a) => ("remove", a),
    };
    let id = &args.membership_id;
    astakos
        .membership_action(
            membership_id(id)?,
            action,
            args.reason.as_deref().unwrap_or(""),
        )
        .await
        .map_err(|e| id_error(e, "membership", id, "membership list"))
}
