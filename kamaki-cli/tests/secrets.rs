//! The token never shows: not in `-v`/`-d` logs (unless `log_token = on`),
//! not in listings of the config or in the access document; only
//! `kamaki config get cloud.NAME.token` prints it.

mod common;

use common::{env_for, kamaki, stderr, stdout, succeeds};
use synnefo_emu::Emulator;

const TOKEN: &str = "secret-cli-token-4f2a";

async fn emulator() -> Emulator {
    Emulator::builder()
        .user("secret@example.com", TOKEN)
        .start()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn verbose_and_debug_logs_redact_the_token() {
    let emu = emulator().await;
    let env = env_for(&emu, TOKEN);
    for flag in ["-v", "-vv", "-d"] {
        let out = succeeds(&env, &[flag, "user", "info"]).await;
        let (log, printed) = (stderr(&out), stdout(&out));
        assert!(
            log.contains("/tokens"),
            "{flag}: the exchange is logged: {log}"
        );
        assert!(
            log.contains("x-auth-token: ..."),
            "{flag}: the header shows redacted: {log}"
        );
        assert!(!log.contains(TOKEN), "{flag}: {log}");
        assert!(!printed.contains(TOKEN), "{flag}: {printed}");
        assert!(printed.contains(&emu.user().uuid));
    }
    // Token validation carries the token in its path: cut out of the URL.
    let out = succeeds(&env, &["-v", "user", "authenticate"]).await;
    assert!(!stderr(&out).contains(TOKEN), "{}", stderr(&out));
}

#[tokio::test(flavor = "multi_thread")]
async fn log_token_on_shows_it_in_the_logs() {
    let emu = emulator().await;
    let env = env_for(&emu, TOKEN);
    let text = std::fs::read_to_string(&env.config).unwrap();
    std::fs::write(
        &env.config,
        text.replace("[global]\n", "[global]\nlog_token = on\n"),
    )
    .unwrap();
    let out = succeeds(&env, &["-v", "user", "info"]).await;
    assert!(
        stderr(&out).contains(&format!("x-auth-token: {TOKEN}")),
        "{}",
        stderr(&out)
    );
    // Logs only: what the command prints is unchanged.
    assert!(!stdout(&out).contains(TOKEN));
    // Without -v nothing is logged at all.
    let out = kamaki(&env, &["user", "info"]).await;
    assert!(!stderr(&out).contains(TOKEN));
}

#[tokio::test(flavor = "multi_thread")]
async fn only_config_get_of_the_token_prints_it() {
    let emu = emulator().await;
    let env = env_for(&emu, TOKEN);
    let out = kamaki(&env, &["config", "get", "cloud.emu.token"]).await;
    assert_eq!(stdout(&out).trim(), TOKEN);

    let mut printed = Vec::new();
    for args in [
        &["config", "list"][..],
        &["config", "get", "cloud.emu"],
        &["config", "get", "cloud"],
        &["user", "authenticate"],
        &["--output-format", "json", "user", "authenticate"],
        &["user", "info"],
        &["user", "list", "-l"],
        &["endpoint", "list"],
    ] {
        let out = succeeds(&env, args).await;
        let all = format!("{}{}", stdout(&out), stderr(&out));
        assert!(!all.contains(TOKEN), "{args:?} printed the token: {all}");
        printed.push(stdout(&out));
    }
    assert!(
        printed[0].contains("cloud.emu.token ..."),
        "listed, redacted: {}",
        printed[0]
    );
    assert!(printed[1].contains("cloud.emu.url "), "{}", printed[1]);
    assert!(
        printed[4].contains("\"expires\""),
        "the access document keeps the rest: {}",
        printed[4]
    );
}
