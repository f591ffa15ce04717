//! kamaki's compute examples in Rust: pick a flavor and an image, create a
//! server, wait for it to build and read its IP, reserve a floating IP and
//! attach it, then clean up.
//!
//! ```text
//! cargo run --example cyclades_server
//! ```
//!
//! Without `AUTHENTICATION_URL` and `TOKEN` in the environment it starts an
//! embedded Synnefo emulator. With them it uses that cloud: it creates (and
//! deletes) a real server and floating IP there, charged to your quotas.

use std::process::ExitCode;
use std::time::Duration;

use kamaki::clients::astakos::AstakosClient;
use kamaki::clients::compute::{CreateServerOptions, ListFlavorsOptions, ListImagesOptions};
use kamaki::clients::cyclades::{CycladesComputeClient, CycladesNetworkClient};
use kamaki::clients::network::FloatingIpOptions;
use kamaki::clients::wait::WaitOptions;

async fn run(authentication_url: &str, token: &str) -> kamaki::Result<()> {
    let astakos = AstakosClient::new(authentication_url, token)?;
    let compute_url = astakos
        .get_endpoint_url(CycladesComputeClient::SERVICE_TYPE)
        .await?;
    let network_url = astakos
        .get_endpoint_url(CycladesNetworkClient::SERVICE_TYPE)
        .await?;
    let compute = CycladesComputeClient::new(&compute_url, token)?;
    let network = CycladesNetworkClient::new(&network_url, token)?;

    // compute-image-flavor: the smallest flavor, a Debian image if any.
    let mut flavors = compute
        .list_flavors(true, &ListFlavorsOptions::default())
        .await?;
    flavors.sort_by_key(|f| (f.vcpus, f.ram, f.disk));
    let images = compute
        .list_images(true, &ListImagesOptions::default())
        .await?;
    let (Some(flavor), Some(image)) = (
        flavors.first(),
        images
            .iter()
            .find(|i| i.name.to_lowercase().contains("debian"))
            .or(images.first()),
    ) else {
        println!("This cloud offers no flavor or no image.");
        return Ok(());
    };
    println!(
        "Flavor {} ({}), image {} ({})",
        flavor.id, flavor.name, image.id, image.name
    );

    // compute-wait: create, wait for ACTIVE, read the IP.
    let server = compute
        .create_server(
            "kamaki example",
            &flavor.id,
            &image.id,
            &CreateServerOptions::default(),
        )
        .await?;
    println!("Server {} is {}", server.id, server.status);
    let options = WaitOptions::new(Duration::from_millis(500), Duration::from_secs(300));
    let server = compute
        .wait_server_until(&server.id, "ACTIVE", options, |s| {
            println!("  ... {} {}%", s.status, s.progress.unwrap_or(0))
        })
        .await?;
    if server.status != "ACTIVE" {
        println!(
            "Waiting for the server to build: time out, it is {}",
            server.status
        );
    } else {
        println!(
            "Server {} is ACTIVE, IPs {:?}",
            server.id,
            server.ipv4_addresses()
        );

        // network-ip: reserve a floating IP and attach it.
        let ip = network
            .create_floatingip(None, &FloatingIpOptions::default())
            .await?;
        let port = network
            .attach_floating_ip(&server.id, &ip.floating_ip_address)
            .await?;
        let port = network
            .wait_port_until(&port.id, "ACTIVE", options, |_| {})
            .await?;
        println!(
            "Floating IP {} attached through port {} ({})",
            ip.floating_ip_address, port.id, port.status
        );
        network.detach_floating_ip(&ip.id).await?;
        network
            .wait_floatingip(&ip.id, |i| i.port_id.is_none(), options, |_| {})
            .await?;
        network.delete_floatingip(&ip.id).await?;
    }
    compute.delete_server(&server.id).await?;
    println!("Server {} deleted", server.id);
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    let outcome = match (std::env::var("AUTHENTICATION_URL"), std::env::var("TOKEN")) {
        (Ok(url), Ok(token)) => run(&url, &token).await,
        _ => {
            let emu = match synnefo_emu::Emulator::builder()
                .action_delay(Duration::from_secs(1))
                .start()
                .await
            {
                Ok(emu) => emu,
                Err(e) => {
                    eprintln!("cannot start the emulator: {e}");
                    return ExitCode::FAILURE;
                }
            };
            println!("Using an embedded Synnefo emulator at {}", emu.url());
            run(&emu.auth_url(), &emu.token()).await
        }
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
