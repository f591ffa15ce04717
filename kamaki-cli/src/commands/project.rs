//! `kamaki project`: applications for projects, their life cycle, joining.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use kamaki::clients::astakos::{AstakosClient, ProjectFilter, ProjectSpec};
use kamaki::clients::ClientError;
use serde_json::{json, Map, Value};
use time::format_description::well_known::Rfc3339;

use crate::args::parse_date;
use crate::context::Ctx;
use crate::error::{CliError, CliResult};

/// `project` commands.
#[derive(Debug, Subcommand)]
pub enum ProjectCmd {
    /// List the projects the user may see.
    List {
        /// Every field, not just id, name and description.
        #[arg(short = 'l', long)]
        details: bool,
        /// Only projects with this name.
        #[arg(long = "with-name", value_name = "NAME")]
        name: Option<String>,
        /// Only projects in this state (e.g. active, pending).
        #[arg(long = "with-state", value_name = "STATE")]
        state: Option<String>,
        /// Only projects of this owner (uuid).
        #[arg(long = "with-owner", value_name = "UUID")]
        owner: Option<String>,
    },
    /// Details of a project.
    Info {
        /// The project id.
        project_id: String,
    },
    /// Apply for a new project: a --spec-file (JSON with the keys name,
    /// owner, homepage, description, comments, max_members, private,
    /// start_date, end_date, join_policy, leave_policy, resources), or both
    /// --name and --end-date; options override the file's keys.
    Create {
        #[command(flatten)]
        spec: SpecArgs,
        /// true for a private project, false (default) for a public one.
        #[arg(long, value_name = "true|false", value_parser = parse_bool)]
        private: Option<bool>,
    },
    /// Apply for a change of a project (options as create).
    Modify {
        /// The project id.
        project_id: String,
        #[command(flatten)]
        spec: SpecArgs,
        /// Make the project private.
        #[arg(long, conflicts_with = "public")]
        private: bool,
        /// Make the project public.
        #[arg(long)]
        public: bool,
    },
    /// Suspend a project (project admins).
    Suspend(ProjectAction),
    /// Resume a suspended project (project admins).
    Unsuspend(ProjectAction),
    /// Terminate a project (project admins).
    Terminate(ProjectAction),
    /// Reinstate a terminated project (project admins).
    Reinstate(ProjectAction),
    /// Approve an application (project admins).
    Approve(ApplicationAction),
    /// Deny an application (project admins).
    Deny(ApplicationAction),
    /// Dismiss your denied application.
    Dismiss(ApplicationAction),
    /// Cancel your application.
    Cancel(ApplicationAction),
    /// Join a project; prints the membership id.
    Join {
        /// The project id.
        project_id: String,
    },
    /// Enroll a user in a project you own; prints the membership id.
    Enroll {
        /// The project id.
        project_id: String,
        /// The user's e-mail.
        #[arg(long, required = true)]
        email: String,
    },
}

/// The options of a project application.
#[derive(Debug, Args)]
pub struct SpecArgs {
    /// A JSON file with the application (options override its keys).
    #[arg(long = "spec-file", value_name = "PATH")]
    spec_file: Option<PathBuf>,
    /// The project's name (domain-like, e.g. course.example.org).
    #[arg(long)]
    name: Option<String>,
    /// The owner's uuid (default: you).
    #[arg(long, value_name = "UUID")]
    owner: Option<String>,
    /// A home page.
    #[arg(long, value_name = "URL")]
    homepage: Option<String>,
    /// What the project is for.
    #[arg(long)]
    description: Option<String>,
    /// The most members it may have.
    #[arg(long = "max-members", value_name = "INT")]
    max_members: Option<u64>,
    /// When it starts (YYYY-mm-dd, "HH:MM:SS YYYY-mm-dd", ISO 8601).
    #[arg(long = "start-date", value_name = "DATE")]
    start_date: Option<String>,
    /// When it ends (YYYY-mm-dd, "HH:MM:SS YYYY-mm-dd", ISO 8601).
    #[arg(long = "end-date", value_name = "DATE")]
    end_date: Option<String>,
    /// How members join: auto, moderated (default) or closed.
    #[arg(long = "join-policy", value_name = "POLICY", value_parser = parse_policy)]
    join_policy: Option<String>,
    /// How members leave: auto (default), moderated or closed.
    #[arg(long = "leave-policy", value_name = "POLICY", value_parser = parse_policy)]
    leave_policy: Option<String>,
    /// Capacities of a resource: members get at most MEMBER_CAP each, the
    /// project PROJECT_CAP in all (may repeat; see kamaki resource list).
    #[arg(long = "resource", value_name = "RES=MEMBER_CAP,PROJECT_CAP", value_parser = parse_resource)]
    resources: Vec<(String, u64, u64)>,
}

/// `--reason` of project actions.
#[derive(Debug, Args)]
pub struct ProjectAction {
    /// The project id.
    project_id: String,
    /// A reason for the action.
    #[arg(long)]
    reason: Option<String>,
}

/// `--app-id` and `--reason` of application actions.
#[derive(Debug, Args)]
pub struct ApplicationAction {
    /// The project id.
    project_id: String,
    /// The application id.
    #[arg(long = "app-id", required = true, value_name = "ID")]
    app_id: u64,
    /// A reason for the action.
    #[arg(long)]
    reason: Option<String>,
}

fn parse_bool(text: &str) -> Result<bool, String> {
    match text.to_ascii_lowercase().as_str() {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err("expected true or false".into()),
    }
}

fn parse_policy(text: &str) -> Result<String, String> {
    let policy = text.to_ascii_lowercase();
    match policy.as_str() {
        "auto" | "moderated" | "closed" => Ok(policy),
        _ => Err("valid values: auto, moderated, closed".into()),
    }
}

fn parse_resource(text: &str) -> Result<(String, u64, u64), String> {
    let usage =
        "use RESOURCE=MEMBER_CAP,PROJECT_CAP with integer capacities, MEMBER_CAP <= PROJECT_CAP";
    let (name, caps) = text
        .split_once('=')
        .filter(|(name, _)| !name.trim().is_empty())
        .ok_or_else(|| usage.to_string())?;
    let (member, project) = caps.split_once(',').ok_or_else(|| usage.to_string())?;
    let number = |s: &str| s.trim().parse::<u64>().map_err(|_| usage.to_string());
    let (member, project) = (number(member)?, number(project)?);
    if member > project {
        return Err(usage.into());
    }
    Ok((name.trim().to_string(), member, project))
}

/// An error about an id given on the command line: a 400/404 means there
/// is no such `what`, a 403 that the user may not see it, a 409 that its
/// state or the user's rights forbid the action.
pub(crate) fn id_error(error: ClientError, what: &str, id: &str, list: &str) -> CliError {
    let status = error.status();
    let cause = error.to_string();
    let message = match status {
        400 | 404 => format!("No {what} with ID {id} ({cause}): see kamaki {list}"),
        403 => format!("No access to {what} {id} ({cause}): see kamaki {list}"),
        409 => format!("Not allowed on {what} {id} now ({cause}): see kamaki {what} info {id}"),
        _ => return error.into(),
    };
    let mut e = CliError::new(message);
    for detail in error.details() {
        e = e.detail(detail.clone());
    }
    e
}

fn on_project(id: &str) -> impl FnOnce(ClientError) -> CliError + '_ {
    move |e| id_error(e, "project", id, "project list")
}

/// A date option as ISO 8601.
fn iso_date(text: &str) -> CliResult<String> {
    parse_date(text)?
        .format(&Rfc3339)
        .map_err(|e| CliError::new(format!("invalid date {text:?}: {e}")))
}

impl SpecArgs {
    /// The application: the spec file's keys, overridden by the options.
    fn build(&self, private: Option<bool>) -> CliResult<(ProjectSpec, bool)> {
        let mut specs = Map::new();
        if let Some(path) = &self.spec_file {
            let text = std::fs::read_to_string(path).map_err(|e| {
                CliError::new(format!("cannot read spec file {}: {e}", path.display()))
            })?;
            match serde_json::from_str(&text) {
                Ok(Value::Object(map)) => specs = map,
                Ok(_) => {
                    return Err(CliError::new(format!(
                        "spec file {} must hold a JSON object",
                        path.display()
                    )))
                }
                Err(e) => {
                    return Err(CliError::new(format!(
                        "spec file {} is not valid JSON: {e}",
                        path.display()
                    )))
                }
            }
        }
        let mut given = false;
        let mut set = |key: &str, value: Option<Value>| {
            if let Some(value) = value {
                specs.insert(key.to_string(), value);
                given = true;
            }
        };
        set("name", self.name.clone().map(Value::from));
        set("owner", self.owner.clone().map(Value::from));
        set("homepage", self.homepage.clone().map(Value::from));
        set("description", self.description.clone().map(Value::from));
        set("max_members", self.max_members.map(Value::from));
        set("private", private.map(Value::from));
        set(
            "start_date",
            self.start_date
                .as_deref()
                .map(iso_date)
                .transpose()?
                .map(Value::from),
        );
        set(
            "end_date",
            self.end_date
                .as_deref()
                .map(iso_date)
                .transpose()?
                .map(Value::from),
        );
        set("join_policy", self.join_policy.clone().map(Value::from));
        set("leave_policy", self.leave_policy.clone().map(Value::from));
        if !self.resources.is_empty() {
            let resources: Map<String, Value> = self
                .resources
                .iter()
                .map(|(name, member, project)| {
                    (
                        name.clone(),
                        json!({"member_capacity": member, "project_capacity": project}),
                    )
                })
                .collect();
            set("resources", Some(Value::Object(resources)));
        }
        let spec = serde_json::from_value(Value::Object(specs))
            .map_err(|e| CliError::new(format!("invalid project specification: {e}")))?;
        Ok((spec, given || self.spec_file.is_some()))
    }
}

/// Runs a `project` command.
pub async fn run(ctx: &mut Ctx, cmd: ProjectCmd) -> CliResult {
    let astakos = ctx.astakos()?;
    match cmd {
        ProjectCmd::List {
            details,
            name,
            state,
            owner,
        } => list(ctx, &astakos, details, name, state, owner).await,
        ProjectCmd::Info { project_id } => {
            let project = astakos
                .get_project(&project_id)
                .await
                .map_err(on_project(&project_id))?;
            ctx.out.print(&project)
        }
        ProjectCmd::Create { spec, private } => create(ctx, &astakos, spec, private).await,
        ProjectCmd::Modify {
            project_id,
            spec,
            private,
            public,
        } => modify(ctx, &astakos, &project_id, spec, private, public).await,
        ProjectCmd::Suspend(a) => project_action(&astakos, "suspend", a).await,
        ProjectCmd::Unsuspend(a) => project_action(&astakos, "unsuspend", a).await,
        ProjectCmd::Terminate(a) => project_action(&astakos, "terminate", a).await,
        ProjectCmd::Reinstate(a) => project_action(&astakos, "reinstate", a).await,
        ProjectCmd::Approve(a) => application_action(&astakos, "approve", a).await,
        ProjectCmd::Deny(a) => application_action(&astakos, "deny", a).await,
        ProjectCmd::Dismiss(a) => application_action(&astakos, "dismiss", a).await,
        ProjectCmd::Cancel(a) => application_action(&astakos, "cancel", a).await,
        ProjectCmd::Join { project_id } => {
            let id = astakos
                .join_project(&project_id)
                .await
                .map_err(on_project(&project_id))?;
            println!("{id}");
            Ok(())
        }
        ProjectCmd::Enroll { project_id, email } => {
            let id = astakos
                .enroll_member(&project_id, &email)
                .await
                .map_err(on_project(&project_id))?;
            println!("{id}");
            Ok(())
        }
    }
}

/// `project list`: ids, names and descriptions, or every field with `-l`.
async fn list(
    ctx: &mut Ctx,
    astakos: &AstakosClient,
    details: bool,
    name: Option<String>,
    state: Option<String>,
    owner: Option<String>,
) -> CliResult {
    let mut filter = ProjectFilter::new();
    filter.name = name;
    filter.state = state;
    filter.owner = owner;
    let projects = astakos.get_projects(&filter).await?;
    if details || ctx.json() {
        return ctx.out.print(&projects);
    }
    let short: Vec<Value> = projects
        .iter()
        .map(|p| json!({"id": p.id, "name": p.name, "description": p.description}))
        .collect();
    ctx.out.print_value(&Value::Array(short))
}

/// `project create`: an application for a new project.
async fn create(
    ctx: &mut Ctx,
    astakos: &AstakosClient,
    spec: SpecArgs,
    private: Option<bool>,
) -> CliResult {
    let (spec, _) = spec.build(private)?;
    if spec.name.is_none() || spec.end_date.is_none() {
        return Err(CliError::new(
            "Insufficient arguments: both --name and --end-date are needed, or a --spec-file with name and end_date",
        ));
    }
    let ids = astakos.create_project(&spec).await?;
    eprintln!("Application is submitted successfully");
    ctx.out.print(&ids)
}

/// `project modify`: an application for changes to a project.
async fn modify(
    ctx: &mut Ctx,
    astakos: &AstakosClient,
    project_id: &str,
    spec: SpecArgs,
    private: bool,
    public: bool,
) -> CliResult {
    // kamaki drops --private/--public on the way; they are sent here.
    let privacy = match (private, public) {
        (true, _) => Some(true),
        (false, true) => Some(false),
        _ => None,
    };
    let (spec, given) = spec.build(privacy)?;
    if !given {
        return Err(CliError::new(
            "Nothing to modify: give at least one of --spec-file, --name, --owner, --homepage, --description, --max-members, --private, --public, --start-date, --end-date, --join-policy, --leave-policy, --resource",
        ));
    }
    let ids = astakos
        .modify_project(project_id, &spec)
        .await
        .map_err(on_project(project_id))?;
    eprintln!("Application is submitted successfully");
    ctx.out.print(&ids)
}

async fn project_action(
    astakos: &kamaki::clients::astakos::AstakosClient,
    action: &str,
    args: ProjectAction,
) -> CliResult {
    let reason = args.reason.unwrap_or_default();
    astakos
        .project_action(&args.project_id, action, &reason)
        .await
        .map_err(on_project(&args.project_id))
}

async fn application_action(
    astakos: &kamaki::clients::astakos::AstakosClient,
    action: &str,
    args: ApplicationAction,
) -> CliResult {
    let reason = args.reason.unwrap_or_default();
    astakos
        .application_action(&args.project_id, args.app_id, action, &reason)
        .await
        .map_err(on_project(&args.project_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_capacities() {
        assert_eq!(
            parse_resource("cyclades.vm=1,5").unwrap(),
            ("cyclades.vm".into(), 1, 5)
        );
        for bad in ["cyclades.vm=5,1", "x=1", "=1,2", "x=a,b", "x"] {
            assert!(parse_resource(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn policies_and_booleans() {
        assert_eq!(parse_policy("Moderated").unwrap(), "moderated");
        assert!(parse_policy("open").is_err());
        assert_eq!(parse_bool("TRUE"), Ok(true));
        assert!(parse_bool("yes").is_err());
    }

    #[test]
    fn options_override_the_spec_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("spec.json");
        std::fs::write(
            &path,
            r#"{"name": "file.example.org", "end_date": "2031-01-01T00:00:00Z", "comments": "hi", "max_members": 3}"#,
        )
        .unwrap();
        let args = SpecArgs {
            spec_file: Some(path),
            name: Some("args.example.org".into()),
            owner: None,
            homepage: None,
            description: None,
            max_members: None,
            start_date: None,
            end_date: None,
            join_policy: Some("auto".into()),
            leave_policy: None,
            resources: vec![("cyclades.vm".into(), 1, 2)],
        };
        let (spec, given) = args.build(Some(false)).unwrap();
        assert!(given);
        assert_eq!(spec.name.as_deref(), Some("args.example.org"));
        assert_eq!(spec.comments.as_deref(), Some("hi"));
        assert_eq!(spec.max_members, Some(3));
        assert_eq!(spec.private, Some(false));
        let resources = spec.resources.unwrap();
        assert_eq!(resources["cyclades.vm"].project_capacity, 2);
    }
}
