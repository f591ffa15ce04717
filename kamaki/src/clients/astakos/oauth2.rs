//! The OAuth2 token call of Astakos (Synnefo astakosclient's
//! `get_token(grant_type, client_id, client_secret, **params)`): a client
//! registered with Astakos trades an authorization code for a short-lived
//! access token, which Pithos' view then checks with `validate_token`.

use base64::Engine;
use serde::{Deserialize, Deserializer};

use super::{AstakosClient, Extra};
use crate::clients::utils::encode_query_part;
use crate::clients::{ClientError, Result, Token};

/// The name of the catalog entry of Astakos' OAuth2 server.
const OAUTH2_SERVICE_NAME: &str = "astakos_oauth2";

/// The reply of `POST <oauth2>/token`.
///
/// `Debug` shows neither token: they are secrets.
#[derive(Clone, Deserialize, PartialEq)]
pub struct OAuth2Token {
    /// The access token.
    #[serde(deserialize_with = "token")]
    pub access_token: Token,
    /// Its type (`Bearer` in Synnefo).
    #[serde(default)]
    pub token_type: String,
    /// Its lifetime in seconds.
    #[serde(default)]
    pub expires_in: Option<u64>,
    /// A token to get a new access token with, if the server gives one
    /// (Synnefo does not).
    #[serde(default, deserialize_with = "optional_token")]
    pub refresh_token: Option<Token>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

impl std::fmt::Debug for OAuth2Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuth2Token")
            .field("access_token", &self.access_token)
            .field("token_type", &self.token_type)
            .field("expires_in", &self.expires_in)
            .field("refresh_token", &self.refresh_token)
            .field("extra", &self.extra)
            .finish()
    }
}

fn token<'de, D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Token, D::Error> {
    String::deserialize(deserializer).map(Token::from)
}

fn optional_token<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> std::result::Result<Option<Token>, D::Error> {
    Ok(Option::<String>::deserialize(deserializer)?.map(Token::from))
}

impl AstakosClient {
    /// The URL of Astakos' OAuth2 server (the `astakos_oauth2` entry of the
    /// catalog, e.g. `https://accounts.example.org/astakos/oauth2`).
    pub async fn oauth2_url(&self) -> Result<String> {
        self.catalog()
            .await?
            .into_iter()
            .find(|s| s.name == OAUTH2_SERVICE_NAME)
            .and_then(|s| s.endpoints.into_iter().next())
            .map(|e| e.public_url)
            .ok_or_else(|| {
                ClientError::NotFound(format!(
                    "No {OAUTH2_SERVICE_NAME} service in the catalog: this cloud offers no OAuth2"
                ))
            })
    }

    /// Asks Astakos' OAuth2 server for a token (`POST <oauth2>/token`): the
    /// form-urlencoded body holds `grant_type` and `params` (for the
    /// `authorization_code` grant: `code` and `redirect_uri`), the client
    /// authenticates with `Authorization: Basic base64(client_id:client_secret)`.
    ///
    /// This is Synnefo astakosclient's `get_token(grant_type, client_id,
    /// client_secret, **params)`, renamed because kamaki's
    /// `CachedAstakosClient.get_token(uuid)` is [`Self::get_token`] here.
    /// The endpoint comes from the catalog (the public one unless this
    /// client has authenticated), so the client needs no user token.
    ///
    /// Neither the secret nor the tokens appear in logs or errors; a refusal
    /// is a [`ClientError::Http`] whose `kind` is the OAuth2 error code and
    /// whose message says why (Synnefo: 400, `generic_error`, e.g. "Invalid
    /// credentials", "No such authorization code").
    ///
    /// ```no_run
    /// # async fn f() -> kamaki::clients::Result<()> {
    /// use kamaki::clients::astakos::AstakosClient;
    /// let astakos = AstakosClient::new("https://accounts.example.org/identity/v2.0", "")?;
    /// let token = astakos
    ///     .oauth2_get_token(
    ///         "authorization_code",
    ///         "my-client",
    ///         "my-secret",
    ///         &[("code", "the-code"), ("redirect_uri", "https://app.example.org/cb")],
    ///     )
    ///     .await?;
    /// println!("good for {:?} s", token.expires_in);
    /// # Ok(()) }
    /// ```
    pub async fn oauth2_get_token(
        &self,
        grant_type: &str,
        client_id: &str,
        client_secret: &str,
        params: &[(&str, &str)],
    ) -> Result<OAuth2Token> {
        let url = self.oauth2_url().await?;
        let credentials = base64::engine::general_purpose::STANDARD
            .encode(format!("{client_id}:{client_secret}"));
        let mut body: Vec<String> = params
            .iter()
            .filter(|(key, _)| *key != "grant_type")
            .map(|(key, value)| format!("{}={}", encode_query_part(key), encode_query_part(value)))
            .collect();
        body.push(format!("grant_type={}", encode_query_part(grant_type)));
        let redact = |e: ClientError| {
            [client_secret, credentials.as_str()]
                .into_iter()
                .fold(e, |e, secret| e.redacted(secret))
        };
        self.client
            .with_endpoint(&url)?
            .post("token")
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Authorization", format!("Basic {credentials}"))
            .body(body.join("&"))
            .send_json()
            .await
            .map_err(redact)
    }
}
