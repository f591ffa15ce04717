//! The Cyclades command groups: `server`, `flavor`, `keypair` and
//! `imagecompute` (compute), `network`, `subnet`, `port` and `ip`
//! (network), `volume` and `snapshot` (block storage).

pub mod common;
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

use crate::commands::Ctx;
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
