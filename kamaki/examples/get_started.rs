//! kamaki's get-started walkthrough, line for line in Rust.
//!
//! ```text
//! cargo run --example get_started
//! ```
//!
//! With `AUTHENTICATION_URL` and `TOKEN` in the environment it talks to that
//! cloud (and `CA_CERTS_PATH` names the CA bundle when the system has none);
//! without them it starts an embedded Synnefo emulator and uses it.

use std::process::ExitCode;

use kamaki::clients::astakos::AstakosClient;
use kamaki::clients::blockstorage::BlockStorageClient;
use kamaki::clients::compute::ComputeClient;
use kamaki::clients::cyclades::{CycladesComputeClient, CycladesNetworkClient};
use kamaki::clients::image::ImageClient;
use kamaki::clients::network::NetworkClient;
use kamaki::clients::pithos::PithosClient;
use kamaki::clients::storage::StorageClient;
use kamaki::clients::utils::https;

/// What the walkthrough found: who the token belongs to, and for each client
/// type its service type and the endpoint the catalog gives for it.
#[derive(Debug)]
pub struct Walkthrough {
    /// The user's uuid.
    pub user_uuid: String,
    /// The user's name.
    pub user_name: String,
    /// (client type, service type, endpoint URL or why there is none).
    pub services: Vec<(&'static str, &'static str, String)>,
}

/// The walkthrough itself.
pub async fn walkthrough(authentication_url: &str, token: &str) -> kamaki::Result<Walkthrough> {
    // Trust the cloud's CA when the system has no bundle of its own.
    if kamaki::defaults::CACERTS_DEFAULT_PATH.is_none() {
        if let Ok(ca_certs_path) = std::env::var("CA_CERTS_PATH") {
            https::patch_with_certs(ca_certs_path)?;
        }
    }

    let astakos = AstakosClient::new(authentication_url, token)?;
    let compute_url = astakos
        .get_endpoint_url(CycladesComputeClient::SERVICE_TYPE)
        .await?;
    let pithos_url = astakos.get_endpoint_url(PithosClient::SERVICE_TYPE).await?;
    let cyclades_compute = CycladesComputeClient::new(&compute_url, token)?;
    let pithos = PithosClient::new(&pithos_url, token)?;

    let user = astakos.user_info().await?;
    let mut services = vec![
        (
            "CycladesComputeClient",
            CycladesComputeClient::SERVICE_TYPE,
            cyclades_compute.endpoint_url().to_string(),
        ),
        (
            "PithosClient",
            PithosClient::SERVICE_TYPE,
            pithos.endpoint_url().to_string(),
        ),
    ];
    let others = [
        ("AstakosClient", AstakosClient::SERVICE_TYPE),
        ("ComputeClient", ComputeClient::SERVICE_TYPE),
        ("NetworkClient", NetworkClient::SERVICE_TYPE),
        ("CycladesNetworkClient", CycladesNetworkClient::SERVICE_TYPE),
        ("BlockStorageClient", BlockStorageClient::SERVICE_TYPE),
        ("ImageClient", ImageClient::SERVICE_TYPE),
        ("StorageClient", StorageClient::SERVICE_TYPE),
    ];
    for (client, service_type) in others {
        let endpoint = match astakos.get_endpoint_url(service_type).await {
            Ok(url) => url,
            Err(e) => format!("({e})"),
        };
        services.push((client, service_type, endpoint));
    }
    Ok(Walkthrough {
        user_uuid: user.id,
        user_name: user.name.unwrap_or_default(),
        services,
    })
}

#[tokio::main]
async fn main() -> ExitCode {
    let configured = (std::env::var("AUTHENTICATION_URL"), std::env::var("TOKEN"));
    let (authentication_url, token, _emulator) = match configured {
        (Ok(url), Ok(token)) => (url, token, None),
        _ => match synnefo_emu::Emulator::start().await {
            Ok(emu) => {
                println!("No AUTHENTICATION_URL and TOKEN set: using an embedded Synnefo emulator at {}\n", emu.url());
                (emu.auth_url(), emu.token(), Some(emu))
            }
            Err(e) => {
                eprintln!("error: cannot start the embedded emulator: {e}");
                return ExitCode::FAILURE;
            }
        },
    };
    match walkthrough(&authentication_url, &token).await {
        Ok(found) => {
            println!(
                "Authenticated as {} ({})\n",
                found.user_name, found.user_uuid
            );
            println!("{:<24} {:<14} endpoint", "client", "SERVICE_TYPE");
            for (client, service_type, endpoint) in &found.services {
                println!("{client:<24} {service_type:<14} {endpoint}");
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
