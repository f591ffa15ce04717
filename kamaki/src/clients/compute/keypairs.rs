//! ssh key pairs (`/os-keypairs`).

use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::fields::unwrap;
use super::{ComputeClient, Keypair};
use crate::clients::Result;

/// A listed key pair: OpenStack wraps each one in `{"keypair": ...}`.
#[derive(Deserialize)]
#[serde(untagged)]
enum Listed {
    Wrapped { keypair: Keypair },
    Bare(Keypair),
}

impl ComputeClient {
    /// The user's key pairs (`GET /os-keypairs`), unwrapped.
    pub async fn list_keypairs(&self) -> Result<Vec<Keypair>> {
        let listed: Vec<Listed> = unwrap(&self.keypairs_get(None).await?, "keypairs")?;
        Ok(listed
            .into_iter()
            .map(|item| match item {
                Listed::Wrapped { keypair } | Listed::Bare(keypair) => keypair,
            })
            .collect())
    }

    /// The details of a key pair (`GET /os-keypairs/<name>`).
    pub async fn get_keypair_details(&self, key_name: &str) -> Result<Keypair> {
        unwrap(&self.keypairs_get(Some(key_name)).await?, "keypair")
    }

    /// Imports `public_key`, or has the cloud generate a pair when it is
    /// `None` (the reply then holds the `private_key`, shown only once)
    /// (`POST /os-keypairs`, 201).
    pub async fn create_key(
        &self,
        key_name: Option<&str>,
        public_key: Option<&str>,
    ) -> Result<Keypair> {
        let mut keypair = Map::new();
        if let Some(name) = key_name {
            keypair.insert("name".into(), Value::from(name));
        }
        if let Some(key) = public_key {
            keypair.insert("public_key".into(), Value::from(key));
        }
        let reply = self.keypairs_post(&json!({ "keypair": keypair })).await?;
        unwrap(&reply, "keypair")
    }

    /// Deletes a key pair (`DELETE /os-keypairs/<name>`, 204).
    pub async fn delete_keypair(&self, key_name: &str) -> Result<()> {
        self.keypairs_delete(key_name).await?;
        Ok(())
    }
}
