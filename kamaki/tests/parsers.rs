//! Property tests: the parsers of server data never panic, whatever the
//! bytes, and keep what they can read.

use kamaki::clients::astakos::AuthInfo;
use kamaki::clients::utils::{path4url, query_string};
use kamaki::clients::ClientError;
use proptest::prelude::*;

proptest! {
    #[test]
    fn error_bodies_never_panic(body in proptest::collection::vec(any::<u8>(), 0..2048), status in 0u16..1000) {
        let err = ClientError::from_http_reply(status, &body, "GET http://h/x".into(), Some("secret"));
        prop_assert_eq!(err.status(), status);
        let text = err.to_string();
        prop_assert!(text.len() < 2048);
    }

    #[test]
    fn synnefo_faults_keep_their_message(kind in "[a-zA-Z]{1,20}", message in "[^\"\\\\]{0,200}", code in 100u16..600) {
        let body = serde_json::json!({kind.clone(): {"message": message.clone(), "code": code, "details": ""}});
        let err = ClientError::from_http_reply(code, body.to_string().as_bytes(), String::new(), None);
        match err {
            ClientError::Http { kind: got, message: got_message, .. } => {
                prop_assert_eq!(got, Some(kind));
                let expected = message.trim();
                if !expected.is_empty() {
                    prop_assert!(got_message.starts_with(&expected.chars().take(100).collect::<String>()));
                }
            }
            other => prop_assert!(false, "{:?}", other),
        }
    }

    #[test]
    fn the_token_never_survives_in_an_error(prefix in ".{0,50}", suffix in ".{0,50}") {
        let token = "tok-3f9a2c";
        let body = format!("{{\"unauthorized\": {{\"message\": \"{}{token}{}\", \"details\": \"{token}\"}}}}",
            prefix.replace(['"', '\\'], ""), suffix.replace(['"', '\\'], ""));
        let err = ClientError::from_http_reply(401, body.as_bytes(), String::new(), Some(token));
        let shown = format!("{:?}", err);
        prop_assert!(!shown.contains(token));
    }

    #[test]
    fn auth_documents_never_panic(body in proptest::collection::vec(any::<u8>(), 0..1024)) {
        let _ = serde_json::from_slice::<AuthInfo>(&body);
    }

    #[test]
    fn arbitrary_json_auth_documents_never_panic(value in arb_json()) {
        if let Ok(info) = serde_json::from_value::<AuthInfo>(serde_json::json!({"access": value})) {
            // What was read serialises back.
            prop_assert!(serde_json::to_string(&info).is_ok());
        }
    }

    #[test]
    fn paths_are_normalised(parts in proptest::collection::vec("[a-z/]{0,8}", 0..6)) {
        let refs: Vec<&str> = parts.iter().map(String::as_str).collect();
        let path = path4url(&refs);
        prop_assert!(path.starts_with('/'));
        prop_assert!(!path.contains("//"));
        prop_assert!(path == "/" || !path.ends_with('/'));
    }

    #[test]
    fn query_strings_never_hold_raw_separators(key in "[a-z]{1,5}", value in ".{0,30}") {
        let q = query_string(&[(key.clone(), Some(value))]);
        prop_assert_eq!(q.matches('&').count(), 0);
        prop_assert_eq!(q.matches('=').count(), 1);
        prop_assert!(!q.contains(' '));
    }
}

fn arb_json() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        ".{0,10}".prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(4, 64, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::Array),
            proptest::collection::btree_map(
                prop_oneof![
                    Just("token".to_string()),
                    Just("user".to_string()),
                    Just("serviceCatalog".to_string()),
                    Just("endpoints".to_string()),
                    Just("id".to_string()),
                    "[a-z]{1,6}".prop_map(String::from)
                ],
                inner,
                0..6
            )
            .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}
