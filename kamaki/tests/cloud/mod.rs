#![allow(dead_code)]

//! An emulated Synnefo cloud and the Cyclades clients of its default user,
//! found through the Astakos catalog as kamaki's walkthrough does.

use std::time::Duration;

use kamaki::clients::astakos::AstakosClient;
use kamaki::clients::compute::{Flavor, Image, ListFlavorsOptions, ListImagesOptions, Server};
use kamaki::clients::cyclades::{
    CycladesBlockStorageClient, CycladesComputeClient, CycladesNetworkClient,
};
use kamaki::clients::network::Network;
use kamaki::clients::wait::WaitOptions;
use synnefo_emu::Emulator;

/// How long emulated actions take in these tests: short, but long enough
/// for a poll to see the intermediate status.
pub const ACTION_DELAY: Duration = Duration::from_millis(30);

pub struct Cloud {
    pub emu: Emulator,
    pub compute: CycladesComputeClient,
    pub network: CycladesNetworkClient,
    pub volumes: CycladesBlockStorageClient,
}

pub async fn cloud() -> Cloud {
    cloud_with_delay(ACTION_DELAY).await
}

pub async fn cloud_with_delay(delay: Duration) -> Cloud {
    let emu = Emulator::builder()
        .action_delay(delay)
        .start()
        .await
        .expect("the emulator starts");
    let token = emu.token();
    let astakos = AstakosClient::new(&emu.auth_url(), token.clone()).unwrap();
    let url = |kind: &'static str| {
        let astakos = astakos.clone();
        async move { astakos.get_endpoint_url(kind).await.unwrap() }
    };
    let compute_url = url(CycladesComputeClient::SERVICE_TYPE).await;
    let network_url = url(CycladesNetworkClient::SERVICE_TYPE).await;
    let volume_url = url(CycladesBlockStorageClient::SERVICE_TYPE).await;
    Cloud {
        compute: CycladesComputeClient::new(&compute_url, token.clone()).unwrap(),
        network: CycladesNetworkClient::new(&network_url, token.clone()).unwrap(),
        volumes: CycladesBlockStorageClient::new(&volume_url, token).unwrap(),
        emu,
    }
}

/// Polls often, and long enough for any emulated action.
pub fn fast() -> WaitOptions {
    WaitOptions::new(Duration::from_millis(10), Duration::from_secs(20))
}

impl Cloud {
    /// The user's uuid (also the id of their system project).
    pub fn user_id(&self) -> String {
        self.emu.user().uuid
    }

    /// The smallest flavor servers can be made of.
    pub async fn small_flavor(&self) -> Flavor {
        self.flavors().await.remove(0)
    }

    /// Usable flavors, smallest first.
    pub async fn flavors(&self) -> Vec<Flavor> {
        let mut flavors: Vec<Flavor> = self
            .compute
            .list_flavors(true, &ListFlavorsOptions::default())
            .await
            .unwrap()
            .into_iter()
            .filter(|f| f.allow_create != Some(false))
            .collect();
        flavors.sort_by_key(|f| (f.vcpus, f.ram, f.disk));
        assert!(!flavors.is_empty(), "a fresh cloud has flavors");
        flavors
    }

    /// A public image servers can be made from.
    pub async fn image(&self) -> Image {
        let images = self
            .compute
            .list_images(true, &ListImagesOptions::default())
            .await
            .unwrap();
        images
            .into_iter()
            .find(|i| i.status == "ACTIVE")
            .expect("a fresh cloud has public images")
    }

    /// The public network floating IPs come from.
    pub async fn public_network(&self) -> Network {
        self.network
            .list_networks(true)
            .await
            .unwrap()
            .into_iter()
            .find(|n| n.floating_ip_pool == Some(true))
            .expect("a fresh cloud has a floating IP pool")
    }

    /// The smallest flavor whose disks can be detached and snapshotted
    /// (Synnefo allows both for Archipelago-like disk templates only).
    pub async fn detachable_flavor(&self) -> Flavor {
        let detachable: Vec<String> = self
            .volumes
            .list_volume_types()
            .await
            .unwrap()
            .into_iter()
            .filter(|t| t.detachable == Some(true))
            .map(|t| t.id)
            .collect();
        self.flavors()
            .await
            .into_iter()
            .find(|f| {
                f.volume_type
                    .as_ref()
                    .is_some_and(|t| detachable.contains(t))
            })
            .expect("a flavor of a detachable volume type")
    }

    /// Creates a server of the smallest flavor with these options and waits
    /// for it to be ACTIVE.
    pub async fn active_server(
        &self,
        name: &str,
        options: &kamaki::clients::compute::CreateServerOptions,
    ) -> Server {
        let flavor = self.small_flavor().await;
        self.active_server_of(name, &flavor, options).await
    }

    /// Creates a server of a flavor with these options and waits for it to
    /// be ACTIVE.
    pub async fn active_server_of(
        &self,
        name: &str,
        flavor: &Flavor,
        options: &kamaki::clients::compute::CreateServerOptions,
    ) -> Server {
        let image = self.image().await;
        let server = self
            .compute
            .create_server(name, &flavor.id, &image.id, options)
            .await
            .unwrap();
        let server = self
            .compute
            .wait_server_until(&server.id, "ACTIVE", fast(), |_| {})
            .await
            .unwrap();
        assert_eq!(server.status, "ACTIVE", "{server:?}");
        server
    }
}
