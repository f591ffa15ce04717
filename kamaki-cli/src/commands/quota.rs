//! `kamaki quota` and `kamaki resource`: the user's quotas and the cloud's
//! resources.

use clap::Subcommand;
use serde_json::Value;

use crate::context::Ctx;
use crate::error::{CliError, CliResult};
use crate::output::format_size;

/// The resources counted in bytes, shown human-readable unless `--bytes`.
const SIZED: [&str; 3] = ["cyclades.disk", "cyclades.ram", "pithos.diskspace"];

/// `quota` commands.
#[derive(Debug, Subcommand)]
pub enum QuotaCmd {
    /// Show the user's quotas, by project then resource.
    List {
        /// Only resources whose name starts with this.
        #[arg(long, value_name = "PREFIX")]
        resource: Option<String>,
        /// Only this project.
        #[arg(long, value_name = "ID")]
        project_id: Option<String>,
        /// Show data sizes in bytes.
        #[arg(long)]
        bytes: bool,
    },
}

/// `resource` commands.
#[derive(Debug, Subcommand)]
pub enum ResourceCmd {
    /// List the resources of the cloud.
    List,
}

/// Runs a `quota` command.
pub async fn run(ctx: &mut Ctx, cmd: QuotaCmd) -> CliResult {
    let QuotaCmd::List {
        resource,
        project_id,
        bytes,
    } = cmd;
    let mut quotas = ctx.astakos()?.get_quotas().await?;
    if let Some(project) = &project_id {
        let Some(resources) = quotas.remove(project) else {
            return Err(CliError::new(format!(
                "User not assigned to project with id \"{project}\" (see all quotas: kamaki quota list)"
            )));
        };
        quotas = [(project.clone(), resources)].into();
    }
    if let Some(prefix) = &resource {
        for resources in quotas.values_mut() {
            resources.retain(|name, _| name.starts_with(prefix.as_str()));
        }
        quotas.retain(|_, resources| !resources.is_empty());
        if quotas.is_empty() {
            return Err(CliError::new(format!(
                "Resource \"{prefix}\" not found (see the resources: kamaki resource list)"
            )));
        }
    }
    let mut value = serde_json::to_value(&quotas)
        .map_err(|e| CliError::new(format!("cannot render the quotas: {e}")))?;
    if !bytes && !ctx.json() {
        humanize_sizes(&mut value);
    }
    ctx.out.print_value(&value)
}

/// Shows the numbers of the byte-counted resources as sizes.
fn humanize_sizes(quotas: &mut Value) {
    let Value::Object(projects) = quotas else {
        return;
    };
    for resources in projects.values_mut() {
        for name in SIZED {
            if let Some(Value::Object(fields)) = resources.get_mut(name) {
                for value in fields.values_mut() {
                    if let Some(n) = value.as_u64() {
                        *value = Value::String(format_size(n));
                    }
                }
            }
        }
    }
}

/// Runs a `resource` command.
pub async fn run_resource(ctx: &mut Ctx, cmd: ResourceCmd) -> CliResult {
    let ResourceCmd::List = cmd;
    let resources = ctx.astakos()?.get_resources().await?;
    ctx.out.print(&resources)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_byte_resources_become_sizes() {
        let mut q = json!({"p": {
            "cyclades.ram": {"limit": 2147483648u64, "usage": 0},
            "cyclades.vm": {"limit": 2, "usage": 1},
            "pithos.diskspace": {"limit": 1536, "note": "x"}
        }});
        humanize_sizes(&mut q);
        assert_eq!(q["p"]["cyclades.ram"]["limit"], "2 GiB");
        assert_eq!(q["p"]["cyclades.ram"]["usage"], "0 B");
        assert_eq!(q["p"]["cyclades.vm"]["limit"], 2);
        assert_eq!(q["p"]["pithos.diskspace"]["limit"], "1.5 KiB");
        assert_eq!(q["p"]["pithos.diskspace"]["note"], "x");
    }
}
