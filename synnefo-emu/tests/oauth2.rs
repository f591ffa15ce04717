//! The emulator's Astakos OAuth2 server on the wire: the catalog entry,
//! the authorization endpoint, the token endpoint, the errors Synnefo's
//! backend answers, and what an access token is good for.

use base64::Engine;
use reqwest::redirect::Policy;
use serde_json::{json, Value};
use synnefo_emu::Emulator;

const APP: &str = "https://app.example.org/cb";

async fn emulator() -> Emulator {
    synnefo_emu::install_crypto_provider();
    Emulator::builder()
        .user("a@example.com", "ta")
        .user("b@example.com", "tb")
        .oauth2_client("open", "open-secret")
        .oauth2_client_with_redirect("fixed", "fixed-secret", "https://fixed.example.org/view/")
        .start()
        .await
        .unwrap()
}

fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap()
}

/// `GET <oauth2>/auth?query` as the user of `token`: status, Location, body.
async fn auth(emu: &Emulator, token: Option<&str>, query: &str) -> (u16, String, Value) {
    let mut request = browser().get(format!("{}/auth?{query}", emu.oauth2_url()));
    if let Some(token) = token {
        request = request.header("X-Auth-Token", token);
    }
    let reply = request.send().await.unwrap();
    let status = reply.status().as_u16();
    let location = reply
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_string())
        .unwrap_or_default();
    let body = reply.json().await.unwrap_or(Value::Null);
    (status, location, body)
}

fn basic(id: &str, secret: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"))
    )
}

/// `POST <oauth2>/token` with a form body and optional Basic credentials.
async fn token(emu: &Emulator, credentials: Option<(&str, &str)>, form: &str) -> (u16, Value) {
    let mut request = browser()
        .post(format!("{}/token", emu.oauth2_url()))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(form.to_string());
    if let Some((id, secret)) = credentials {
        request = request.header("Authorization", basic(id, secret));
    }
    let reply = request.send().await.unwrap();
    (
        reply.status().as_u16(),
        reply.json().await.unwrap_or(Value::Null),
    )
}

fn code_of(location: &str) -> String {
    let url = reqwest::Url::parse(location).unwrap();
    url.query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| panic!("no code in {location}"))
}

fn oa2_error(body: &Value) -> &str {
    assert_eq!(body["error"], "generic_error", "{body}");
    body["exception"].as_str().unwrap()
}

#[tokio::test]
async fn the_catalog_names_the_oauth2_server() {
    let emu = emulator().await;
    let reply: Value = reqwest::Client::new()
        .post(format!("{}/tokens", emu.auth_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let catalog = reply["access"]["serviceCatalog"].as_array().unwrap();
    let oauth2 = catalog
        .iter()
        .find(|s| s["name"] == "astakos_oauth2")
        .expect("an astakos_oauth2 entry");
    assert_eq!(oauth2["type"], "astakos_auth");
    assert_eq!(oauth2["endpoints"][0]["versionId"], "");
    assert_eq!(
        oauth2["endpoints"][0]["publicURL"],
        json!(format!("{}/astakos/oauth2", emu.url()))
    );
    assert_eq!(emu.oauth2_url(), format!("{}/astakos/oauth2", emu.url()));
    assert_eq!(emu.oauth2_client().id, "open");
}

#[tokio::test]
async fn the_authorization_endpoint_redirects_with_a_code() {
    let emu = emulator().await;
    let query = format!("response_type=code&client_id=open&redirect_uri={APP}%3Fx%3D1&state=s+1");
    let (status, location, _) = auth(&emu, Some("ta"), &query).await;
    assert_eq!(status, 302);
    let url = reqwest::Url::parse(&location).unwrap();
    assert_eq!(url.host_str(), Some("app.example.org"));
    let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    assert_eq!(pairs[0], ("x".into(), "1".into()));
    assert!(pairs.contains(&("state".into(), "s 1".into())), "{pairs:?}");
    assert_eq!(code_of(&location).len(), 60);

    // POST with a form body does the same.
    let reply = browser()
        .post(format!("{}/auth/", emu.oauth2_url()))
        .header("X-Auth-Token", "ta")
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(format!(
            "response_type=code&client_id=open&redirect_uri={APP}"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status().as_u16(), 302);

    // Without a logged-in user: to the login page, coming back after.
    for token in [None, Some("not-a-user")] {
        let (status, location, _) = auth(&emu, token, &query).await;
        assert_eq!(status, 302);
        assert!(
            location.starts_with("/astakos/ui/login?next=%2Fastakos%2Foauth2%2Fauth%3F"),
            "{location}"
        );
        assert!(location.contains("client_id%3Dopen"), "{location}");
    }
}

#[tokio::test]
async fn authorization_requests_are_checked_as_synnefo_checks_them() {
    let emu = emulator().await;
    for (query, why) in [
        ("client_id=open", "Missing authorization type"),
        (
            "response_type=token&client_id=open",
            "Unsupported authorization type",
        ),
        (
            "response_type=other&client_id=open",
            "Invalid authorization type",
        ),
        ("response_type=code", "Client identification is required"),
        ("response_type=code&client_id=ghost", "No such client found"),
        (
            "response_type=code&client_id=open&redirect_uri=/relative",
            "Redirect uri should be an absolute URI",
        ),
        (
            "response_type=code&client_id=open",
            "Unable to fallback to client redirect URI",
        ),
        (
            "response_type=code&client_id=fixed&redirect_uri=https://fixed.example.org/viewer",
            "Mismatching redirect uri",
        ),
    ] {
        let (status, _, body) = auth(&emu, Some("ta"), query).await;
        assert_eq!(status, 400, "{query}");
        assert_eq!(oa2_error(&body), why, "{query}");
    }
    let long = format!(
        "response_type=code&client_id=open&redirect_uri=https://x.example.org/{}",
        "a".repeat(5000)
    );
    let (_, _, body) = auth(&emu, Some("ta"), &long).await;
    assert_eq!(oa2_error(&body), "Redirect uri length limit exceeded");

    // A registered URL: URIs under it pass; none given falls back to it.
    let (status, location, _) = auth(
        &emu,
        Some("ta"),
        "response_type=code&client_id=fixed&redirect_uri=https://fixed.example.org/view/a/b",
    )
    .await;
    assert_eq!(status, 302);
    assert!(location.starts_with("https://fixed.example.org/view/a/b?code="));
    let (status, location, _) = auth(&emu, Some("ta"), "response_type=code&client_id=fixed").await;
    assert_eq!(status, 302);
    assert!(location.starts_with("https://fixed.example.org/view/?code="));
}

#[tokio::test]
async fn codes_are_traded_once_for_bearer_tokens() {
    let emu = emulator().await;
    let (_, location, _) = auth(
        &emu,
        Some("tb"),
        &format!(
            "response_type=code&client_id=open&redirect_uri={APP}&scope=https://app.example.org/"
        ),
    )
    .await;
    let code = code_of(&location);
    let form = format!("grant_type=authorization_code&code={code}&redirect_uri={APP}");

    // Refusals, none of which spends the code.
    let (status, body) = token(&emu, None, &form).await;
    assert_eq!(status, 400);
    assert_eq!(oa2_error(&body), "Missing client identification");
    let (_, body) = token(&emu, None, &format!("{form}&client_id=open")).await;
    assert_eq!(oa2_error(&body), "Client authentication is required");
    let (_, body) = token(&emu, Some(("open", "wrong")), &form).await;
    assert_eq!(oa2_error(&body), "Invalid credentials");
    let (_, body) = token(
        &emu,
        Some(("open", "open-secret")),
        &format!("{form}&client_id=fixed"),
    )
    .await;
    assert_eq!(
        oa2_error(&body),
        "Client identification conflicts with client authorization"
    );
    let (_, body) = token(
        &emu,
        Some(("fixed", "fixed-secret")),
        &format!("grant_type=authorization_code&code={code}"),
    )
    .await;
    assert_eq!(oa2_error(&body), "Mismatching client with code client");
    let (_, body) = token(
        &emu,
        Some(("open", "open-secret")),
        &format!(
            "grant_type=authorization_code&code={code}&redirect_uri=https://app.example.org/other"
        ),
    )
    .await;
    assert_eq!(oa2_error(&body), "Invalid redirect uri");
    let (_, body) = token(
        &emu,
        Some(("open", "open-secret")),
        "grant_type=authorization_code",
    )
    .await;
    assert_eq!(oa2_error(&body), "Missing authorization code");
    let (_, body) = token(&emu, Some(("open", "open-secret")), "code=x").await;
    assert_eq!(oa2_error(&body), "Missing grant type");
    let (_, body) = token(&emu, Some(("open", "open-secret")), "grant_type=password").await;
    assert_eq!(oa2_error(&body), "Invalid grant type");
    let reply = browser()
        .post(format!("{}/token", emu.oauth2_url()))
        .header("Authorization", basic("open", "open-secret"))
        .json(&json!({"grant_type": "authorization_code", "code": code}))
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status().as_u16(), 400);
    let body: Value = reply.json().await.unwrap();
    assert_eq!(oa2_error(&body), "Invalid Content-Type header");
    let reply = browser()
        .get(format!("{}/token", emu.oauth2_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status().as_u16(), 405);

    let (status, granted) = token(&emu, Some(("open", "open-secret")), &form).await;
    assert_eq!(status, 200, "{granted}");
    assert_eq!(granted["token_type"], "Bearer");
    assert_eq!(granted["expires_in"], 20);
    let access = granted["access_token"].as_str().unwrap().to_string();
    assert_eq!(access.len(), 30);
    let (status, body) = token(&emu, Some(("open", "open-secret")), &form).await;
    assert_eq!(status, 400);
    assert_eq!(oa2_error(&body), "No such authorization code");

    // validate_token knows it, within its scope.
    let validate = |belongs_to: &str| {
        let url = format!("{}/tokens/{access}?belongsTo={belongs_to}", emu.auth_url());
        async move {
            let reply = reqwest::get(url).await.unwrap();
            (
                reply.status().as_u16(),
                reply.json::<Value>().await.unwrap(),
            )
        }
    };
    let (status, body) = validate("https://app.example.org/x/y").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["access"]["user"]["id"], json!(emu.users()[1].uuid));
    assert_eq!(body["access"]["token"]["id"], json!(access));
    assert!(body["access"]["token"]["expires"]
        .as_str()
        .unwrap()
        .ends_with("+00:00"));
    let (status, body) = validate("https://elsewhere.example.org/").await;
    assert_eq!(status, 404);
    assert_eq!(
        body["itemNotFound"]["message"],
        "The specified tenant is outside the token's scope"
    );
    // It is no X-Auth-Token.
    let reply = reqwest::Client::new()
        .get(format!("{}/servers", emu.endpoint_url("compute").unwrap()))
        .header("X-Auth-Token", &access)
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status().as_u16(), 401);
}
