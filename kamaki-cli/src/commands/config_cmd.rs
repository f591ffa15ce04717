//! `kamaki config`: read and change the configuration file.

use clap::Subcommand;

use crate::config::{global_defaults, OptionPath};
use crate::context::Ctx;
use crate::error::{CliError, CliResult};

/// `config` commands.
#[derive(Debug, Subcommand)]
pub enum ConfigCmd {
    /// List every option (defaults included) as `section.key value`; tokens
    /// show as `...` (`config get cloud.NAME.token` prints one).
    List,
    /// Print an option: [global.]KEY, cloud, cloud.NAME or cloud.NAME.KEY.
    Get {
        /// The option.
        option: String,
    },
    /// Set an option and save the file.
    Set {
        /// The option: [global.]KEY or cloud.NAME.KEY.
        option: String,
        /// Its value.
        value: String,
    },
    /// Delete an option (or a whole cloud.NAME) and save the file.
    Delete {
        /// The option.
        option: String,
    },
}

/// The lines of a cloud's options; tokens (`token`, `<service>_token`)
/// show as `...`: only `config get cloud.NAME.token` prints one.
fn cloud_lines(name: &str, options: &std::collections::BTreeMap<String, String>) -> Vec<String> {
    options
        .iter()
        .map(|(k, v)| {
            let v = if is_secret(k) { "..." } else { v.as_str() };
            format!("cloud.{name}.{k} {v}")
        })
        .collect()
}

/// Whether a cloud option holds a token.
fn is_secret(key: &str) -> bool {
    key == "token" || key.ends_with("_token")
}

/// Runs a `config` command.
pub fn run(ctx: &mut Ctx, cmd: ConfigCmd) -> CliResult {
    let config = &mut ctx.session.config;
    match cmd {
        ConfigCmd::List => {
            if !config.exists() {
                eprintln!(
                    "{} does not exist yet: showing the defaults",
                    config.path().display()
                );
            }
            let mut global = global_defaults();
            global.extend(config.global_in_file().clone());
            for key in global.keys().cloned().collect::<Vec<_>>() {
                if let Some(value) = config.get_global(&key) {
                    println!("global.{key} {value}");
                }
            }
            for (name, options) in config.clouds() {
                for line in cloud_lines(name, options) {
                    println!("{line}");
                }
            }
        }
        ConfigCmd::Get { option } => match OptionPath::parse(&option)? {
            OptionPath::Global(key) => match config.get_global(&key) {
                Some(value) => println!("{value}"),
                None => return Err(CliError::new(format!("{option} not found"))),
            },
            OptionPath::CloudKey(cloud, key) => match config.get_cloud(&cloud, &key) {
                Some(value) => println!("{value}"),
                None => return Err(CliError::new(format!("{option} not found"))),
            },
            OptionPath::Cloud(name) => match config.clouds().get(&name) {
                Some(options) => cloud_lines(&name, options)
                    .iter()
                    .for_each(|l| println!("{l}")),
                None => return Err(CliError::new(format!("{option} not found"))),
            },
            OptionPath::Clouds => {
                for (name, options) in config.clouds() {
                    cloud_lines(name, options)
                        .iter()
                        .for_each(|l| println!("{l}"));
                }
            }
        },
        ConfigCmd::Set { option, value } => {
            config.set(&OptionPath::parse(&option)?, &value)?;
            config.write()?;
        }
        ConfigCmd::Delete { option } => {
            if !config.delete(&OptionPath::parse(&option)?) {
                return Err(CliError::new(format!(
                    "{option} not found in {}",
                    config.path().display()
                )));
            }
            config.write()?;
        }
    }
    Ok(())
}
