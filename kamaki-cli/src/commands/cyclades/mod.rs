//! The Cyclades command groups: `server`, `flavor`, `keypair` and
//! `imagecompute` (compute), `network`, `subnet`, `port` and `ip`
//! (network), `volume` and `snapshot` (block storage).

pub mod flavor;
pub mod imagecompute;
pub mod ip;
pub mod keypair;
pub mod network;
pub mod port;
pub mod server;
pub mod snapshot;
pub mod subnet;
pub mod volume;
pub mod waiter;

use kamaki::clients::cyclades::{
    CycladesBlockStorageClient, CycladesComputeClient, CycladesNetworkClient,
};

use crate::context::Ctx;
use crate::error::CliResult;

/// The compute client (kamaki's service name `cyclades`).
pub async fn compute(ctx: &mut Ctx) -> CliResult<CycladesComputeClient> {
    let cloud = ctx.global.cloud.clone();
    ctx.session.service(cloud.as_deref(), "cyclades").await
}

/// The network client (kamaki's service name `network`).
pub async fn network(ctx: &mut Ctx) -> CliResult<CycladesNetworkClient> {
    let cloud = ctx.global.cloud.clone();
    ctx.session.service(cloud.as_deref(), "network").await
}

/// The block storage client (kamaki's service name `volume`).
pub async fn blockstorage(ctx: &mut Ctx) -> CliResult<CycladesBlockStorageClient> {
    let cloud = ctx.global.cloud.clone();
    ctx.session.service(cloud.as_deref(), "volume").await
}

#[cfg(test)]
mod tests {
    use clap::{CommandFactory, Parser};

    use crate::cli::{Cli, Group};

    #[test]
    fn the_command_tree_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn kamaki_command_lines_parse() {
        let parse = |line: &str| Cli::try_parse_from(line.split_whitespace());
        let cli = parse("kamaki server create --name a --flavor-id 1 --image-id i -w -N --network 1,ip=1.2.3.4 -m k=v --key-name k1 --key-name k2").unwrap();
        assert!(matches!(cli.group, Group::Server(_)));
        assert!(parse("kamaki server create --name a --flavor-id x --image-id i").is_err());
        assert!(parse(
            "kamaki server create --name a --flavor-id 1 --image-id i --network 1 --no-network"
        )
        .is_err());
        assert!(parse("kamaki server info 1 --nics --diagnostics").is_err());
        assert!(
            parse("kamaki server detach 1").is_err(),
            "one of --attachment-id, --volume-id"
        );
        assert!(parse("kamaki server detach 1 --attachment-id 2 --volume-id 3").is_err());
        assert!(parse("kamaki server wait 1 --while BUILD --until ACTIVE").is_err());
        assert!(
            parse("kamaki subnet create --network-id 1 --cidr c --gateway g --no-gateway").is_err()
        );
        assert!(parse("kamaki volume modify 1 --delete-on-termination maybe").is_err());
        assert!(parse("kamaki volume modify 1 --delete-on-termination TRUE").is_ok());
        assert!(
            parse("kamaki snapshot modify 1").is_err(),
            "one change at least"
        );
        assert!(parse("kamaki imagecompute modify i").is_err());
        assert!(
            parse("kamaki network connect 1").is_err(),
            "--device-id is required"
        );
        assert!(parse(
            "kamaki flavor list -l -n 3 --more --enumerate --ram 1024 --name-like c1 --id-prefix 1"
        )
        .is_ok());
        assert!(
            parse("kamaki ip attach 1.2.3.4 --server-id 1 -g sg1 -g sg2 --subnet-id 3 -w").is_ok()
        );
    }
}
