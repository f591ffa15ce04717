//! `kamaki keypair`: ssh key pairs to inject into new servers.

use std::hash::{BuildHasher, Hasher};

use clap::Subcommand;
use kamaki::clients::cyclades::CycladesComputeClient;
use kamaki::clients::ClientError;

use super::compute;
use crate::commands::common::{
    drop_key, print_list, raw_reply, to_values, ListStyle, NameFilter, ID_NAME,
};
use crate::context::Ctx;
use crate::error::{CliError, CliResult};

/// `keypair` commands.
#[derive(Debug, Subcommand)]
pub enum KeypairCmd {
    /// List the key pairs.
    List {
        /// Show every field (the public keys too).
        #[arg(short = 'l', long)]
        detail: bool,
        #[command(flatten)]
        names: NameFilter,
    },
    /// Detailed information on a key pair.
    Info {
        /// The key name.
        key_name: String,
    },
    /// Delete a key pair.
    Delete {
        /// The key name.
        key_name: String,
    },
    /// Upload (import) a public key.
    Upload {
        /// The public key (the text of an ssh public key).
        #[arg(long = "public-key", required = true)]
        public_key: String,
        /// The name of the key (default: a unique kamaki-key_autogen_... name).
        #[arg(long = "key-name")]
        key_name: Option<String>,
        /// (DANGEROUS) Replace a key pair of the same name.
        #[arg(short = 'f', long)]
        force: bool,
    },
    /// Have the cloud generate a key pair (the output holds the private key,
    /// shown only this once).
    Generate {
        /// The name of the key (default: a unique kamaki-key_autogen_... name).
        #[arg(long = "key-name")]
        key_name: Option<String>,
        /// (DANGEROUS) Replace a key pair of the same name.
        #[arg(short = 'f', long)]
        force: bool,
    },
}

fn no_keypair(name: &str) -> impl FnOnce(ClientError) -> CliError + '_ {
    move |e| match e.status() {
        400 | 404 => CliError::new(format!(
            "No keypair with name {name} ({}): see kamaki keypair list",
            e.status()
        ))
        .detail(e.to_string()),
        _ => e.into(),
    }
}

/// kamaki's name for an unnamed key:
/// `kamaki-key_autogen_<MM_DD_HH_MM_SS_micro>_<8 hex>`.
fn autogen_name() -> String {
    let now = time::OffsetDateTime::now_utc();
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(now.unix_timestamp_nanos() as u128);
    hasher.write_u32(std::process::id());
    let unique = format!("{:016x}", hasher.finish());
    format!(
        "kamaki-key_autogen_{:02}_{:02}_{:02}_{:02}_{:02}_{:06}_{}",
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second(),
        now.microsecond(),
        &unique[..8]
    )
}

/// Creates a key pair; on a name conflict deletes the old one first with
/// `force`, else explains how to.
async fn create(
    compute: &CycladesComputeClient,
    name: &str,
    public_key: Option<&str>,
    force: bool,
    retry_hint: String,
) -> CliResult<kamaki::clients::compute::Keypair> {
    match compute.create_key(Some(name), public_key).await {
        Ok(key) => Ok(key),
        Err(e) if e.status() == 409 && force => {
            compute.delete_keypair(name).await?;
            Ok(compute.create_key(Some(name), public_key).await?)
        }
        Err(e) if e.status() == 409 => Err(CliError::new(format!(
            "A keypair named {name} already exists (409): to replace it, {retry_hint}"
        ))
        .detail(e.to_string())),
        Err(e) => Err(e.into()),
    }
}

/// Runs a `keypair` command.
pub async fn run(ctx: &mut Ctx, cmd: KeypairCmd) -> CliResult {
    let compute = compute(ctx).await?;
    match cmd {
        KeypairCmd::List { detail, names } => {
            let keys = compute.list_keypairs().await?;
            let mut items = names.apply(to_values(&keys)?);
            if !detail {
                drop_key(&mut items, "public_key");
            }
            print_list(
                ctx,
                items,
                ListStyle {
                    title: ID_NAME,
                    ..Default::default()
                },
            )
        }
        KeypairCmd::Info { key_name } => {
            // As the server sent it (integer id, null dates).
            let reply = compute
                .keypairs_get(Some(&key_name))
                .await
                .map_err(no_keypair(&key_name))?;
            ctx.out.print_value(&raw_reply(&reply, "keypair")?)
        }
        KeypairCmd::Delete { key_name } => compute
            .delete_keypair(&key_name)
            .await
            .map_err(no_keypair(&key_name)),
        KeypairCmd::Upload {
            public_key,
            key_name,
            force,
        } => {
            let name = key_name.unwrap_or_else(autogen_name);
            let hint =
                format!("kamaki keypair upload -f --key-name {name} --public-key '{public_key}'");
            let key = create(&compute, &name, Some(&public_key), force, hint).await?;
            ctx.out.print(&key)
        }
        KeypairCmd::Generate { key_name, force } => {
            let name = key_name.unwrap_or_else(autogen_name);
            let hint = format!("kamaki keypair generate -f --key-name {name}");
            let key = create(&compute, &name, None, force, hint).await?;
            ctx.out.print(&key)
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn autogenerated_names_are_unique_and_shaped() {
        let a = super::autogen_name();
        let b = super::autogen_name();
        assert!(a.starts_with("kamaki-key_autogen_"), "{a}");
        assert_eq!(a.split('_').count(), 9, "{a}");
        assert_ne!(a, b);
    }
}
