//! SSH keypairs (`/os-keypairs`): imported public keys, or generated ones
//! whose private half is shown once.
//!
//! A generated key is well-formed (`ssh-ed25519` public key, OpenSSH-style
//! PEM private key) but made of random bytes: there is no real machine to
//! log into.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use base64::Engine;
use serde_json::{json, Value};

use crate::auth::Authenticated;
use crate::clock;
use crate::cyclades::json::{self, empty, reply};
use crate::cyclades::model::Keypair;
use crate::cyclades::Cloud;
use crate::cyclades::CycladesService;
use crate::errors::{ApiError, ApiResult};
use crate::random;

/// The MD5 fingerprint of an OpenSSH public key (of the text itself if it
/// has no base64 blob).
pub fn fingerprint(public_key: &str) -> String {
    let blob = public_key
        .split_whitespace()
        .nth(1)
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
        .unwrap_or_else(|| public_key.as_bytes().to_vec());
    use md5::{Digest, Md5};
    Md5::digest(&blob)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

fn ssh_string(out: &mut Vec<u8>, data: &[u8]) {
    out.extend_from_slice(&u32::try_from(data.len()).unwrap_or(0).to_be_bytes());
    out.extend_from_slice(data);
}

/// A new (public, private) key pair in OpenSSH formats.
fn generate(name: &str) -> (String, String) {
    let b64 = base64::engine::general_purpose::STANDARD;
    let public = random::bytes(32);
    let mut blob = Vec::new();
    ssh_string(&mut blob, b"ssh-ed25519");
    ssh_string(&mut blob, &public);
    let public_key = format!("ssh-ed25519 {} {name}", b64.encode(&blob));
    let mut private = b"openssh-key-v1\0".to_vec();
    ssh_string(&mut private, b"none");
    ssh_string(&mut private, b"none");
    ssh_string(&mut private, b"");
    private.extend_from_slice(&1u32.to_be_bytes());
    ssh_string(&mut private, &blob);
    ssh_string(&mut private, &random::bytes(96));
    let body = b64.encode(&private);
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(70)
        .filter_map(|c| std::str::from_utf8(c).ok())
        .collect();
    let private_key = format!(
        "-----BEGIN OPENSSH PRIVATE KEY-----\n{}\n-----END OPENSSH PRIVATE KEY-----\n",
        lines.join("\n")
    );
    (public_key, private_key)
}

fn to_json(keypair: &Keypair, details: bool) -> Value {
    let mut d = json!({
        "name": keypair.name,
        "fingerprint": keypair.fingerprint,
        "public_key": keypair.public_key,
    });
    if details {
        d["deleted"] = json!(false);
        d["id"] = json!(keypair.id);
        d["created_at"] = json!(clock::iso(keypair.created));
        d["deleted_at"] = Value::Null;
        d["updated_at"] = Value::Null;
    }
    json!({ "keypair": d })
}

/// Whether a key name is acceptable: printable, not all blank.
fn valid_name(name: &str) -> bool {
    !name.trim().is_empty() && name.chars().all(|c| !c.is_control()) && name.len() <= 255
}

/// `GET /os-keypairs`: the user's keypairs by name.
pub async fn list(
    State(state): State<CycladesService>,
    Authenticated(user): Authenticated,
) -> Response {
    let cloud = Cloud::lock(&state);
    let keypairs: Vec<Value> = cloud
        .compute
        .keypairs
        .values()
        .filter(|k| k.user == user.uuid)
        .map(|k| to_json(k, false))
        .collect();
    reply(200, json!({ "keypairs": keypairs }))
}

/// `POST /os-keypairs`: imports `public_key`, or generates a keypair and
/// answers its `private_key` too.
pub async fn create(
    State(state): State<CycladesService>,
    Authenticated(user): Authenticated,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let request = json::body(&headers, &body)?;
    let malformed = || ApiError::bad_request("Malformed request.");
    let keypair = request
        .get("keypair")
        .filter(|k| k.is_object())
        .ok_or_else(malformed)?;
    let name = keypair
        .get("name")
        .and_then(Value::as_str)
        .ok_or_else(malformed)?
        .to_string();
    if !valid_name(&name) {
        return Err(ApiError::bad_request("Invalid name format"));
    }
    let imported = match keypair.get("public_key") {
        None | Some(Value::Null) => None,
        Some(Value::String(key)) => Some(key.clone()),
        Some(_) => return Err(malformed()),
    };
    let mut cloud = Cloud::lock(&state);
    let key = (user.uuid.clone(), name.clone());
    if cloud.compute.keypairs.contains_key(&key) {
        return Err(ApiError::conflict(
            "A keypair with that name already exists",
        ));
    }
    let (public_key, private_key) = match imported {
        Some(public_key) => (public_key, None),
        None => {
            let (public, private) = generate(&name);
            (public, Some(private))
        }
    };
    let keypair = Keypair {
        id: cloud.compute.new_keypair_id(),
        fingerprint: fingerprint(&public_key),
        name,
        user: user.uuid.clone(),
        public_key,
        created: cloud.wall,
    };
    let mut answer = to_json(&keypair, false);
    if let Some(private) = private_key {
        answer["keypair"]["private_key"] = json!(private);
    }
    cloud.compute.keypairs.insert(key, keypair);
    Ok(reply(201, answer))
}

/// `GET /os-keypairs/<name>`.
pub async fn get_details(
    State(state): State<CycladesService>,
    Authenticated(user): Authenticated,
    Path(name): Path<String>,
) -> ApiResult<Response> {
    let cloud = Cloud::lock(&state);
    let keypair = cloud
        .compute
        .keypairs
        .get(&(user.uuid.clone(), name.clone()))
        .ok_or_else(|| ApiError::item_not_found(format!("Keypair {name} not found.")))?;
    Ok(reply(200, to_json(keypair, true)))
}

/// `DELETE /os-keypairs/<name>`.
pub async fn delete(
    State(state): State<CycladesService>,
    Authenticated(user): Authenticated,
    Path(name): Path<String>,
) -> ApiResult<Response> {
    let mut cloud = Cloud::lock(&state);
    cloud
        .compute
        .keypairs
        .remove(&(user.uuid.clone(), name.clone()))
        .ok_or_else(|| ApiError::item_not_found(format!("Keypair {name} not found.")))?;
    Ok(empty(204))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_are_well_formed() {
        let (public, private) = generate("k");
        assert!(public.starts_with("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5"));
        assert!(private.starts_with("-----BEGIN OPENSSH PRIVATE KEY-----\n"));
        let fp = fingerprint(&public);
        assert_eq!(fp.split(':').count(), 16);
    }

    #[test]
    fn fingerprints_are_colon_separated_md5() {
        // A key with no base64 blob is fingerprinted as text: md5("x").
        assert_eq!(
            fingerprint("x"),
            "9d:d4:e4:61:26:8c:80:34:f5:c8:56:4e:15:5c:67:a6"
        );
        // Otherwise the decoded base64 blob is: "YQ==" is "a".
        assert_eq!(
            fingerprint("ssh-rsa YQ== me"),
            "0c:c1:75:b9:c0:f1:b6:a8:31:c3:99:e2:69:77:26:61"
        );
    }
}
