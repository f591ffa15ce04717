//! The `kamaki` binary against the emulator, with a config file written by
//! the test.

use std::path::Path;

use serde_json::Value;
use synnefo_emu::Emulator;

mod common;

use common::{env_for, kamaki, stderr, stdout, succeeds};

async fn emulator() -> Emulator {
    Emulator::builder()
        .user("cli@example.com", "cli-token")
        .user("friend@example.com", "friend-token")
        .start()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn user_commands_against_the_emulator() {
    let emu = emulator().await;
    let env = env_for(&emu, "cli-token");
    let me = emu.users()[0].clone();

    let out = succeeds(&env, &["user", "info"]).await;
    assert!(
        stdout(&out).contains(&format!("id: {}", me.uuid)),
        "{}",
        stdout(&out)
    );
    assert!(stdout(&out).contains("name: Cli"));

    let out = succeeds(&env, &["user", "authenticate", "--output-format", "json"]).await;
    let access: Value = serde_json::from_str(&stdout(&out)).expect("valid JSON");
    assert_eq!(
        access["access"]["user"]["id"],
        Value::String(me.uuid.clone())
    );
    assert!(access["access"]["serviceCatalog"].as_array().unwrap().len() >= 6);

    let friend = emu.users()[1].uuid.clone();
    let out = succeeds(&env, &["user", "uuid2name", &friend, "no-such-uuid"]).await;
    assert_eq!(stdout(&out), format!("{friend}: friend@example.com\n"));
    assert!(stderr(&out).contains("No uuid no-such-uuid found"));

    let out = kamaki(
        &env,
        &[
            "user",
            "name2uuid",
            "friend@example.com",
            "-o",
            "colors=off",
            "--output-format",
            "json",
        ],
    )
    .await;
    let mapping: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(mapping["friend@example.com"], Value::String(friend));

    let out = kamaki(
        &env,
        &[
            "endpoint",
            "list",
            "--type",
            "compute",
            "--output-format",
            "json",
        ],
    )
    .await;
    let services: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(services[0]["name"], "cyclades_compute");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_token_fails_with_one_line() {
    let emu = emulator().await;
    let env = env_for(&emu, "wrong-token");
    let out = kamaki(&env, &["user", "info"]).await;
    assert!(!out.status.success());
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("401"), "{err}");
    // The hint names the cloud in use (env_for's cloud is "emu").
    assert!(
        err.contains("kamaki config set cloud.emu.token TOKEN"),
        "{err}"
    );
    let out = kamaki(&env, &["server", "list"]).await;
    assert!(
        stderr(&out).contains("kamaki config set cloud.emu.token TOKEN"),
        "{}",
        stderr(&out)
    );
    assert!(
        !err.contains("wrong-token"),
        "the token must not be printed: {err}"
    );
    assert!(stdout(&out).is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn config_commands_read_and_write_the_file() {
    let emu = emulator().await;
    let env = env_for(&emu, "cli-token");
    let out = kamaki(&env, &["config", "get", "cloud.emu.url"]).await;
    assert_eq!(stdout(&out).trim(), emu.auth_url());
    assert!(kamaki(
        &env,
        &["config", "set", "cloud.other.url", "http://x/identity/v2.0"]
    )
    .await
    .status
    .success());
    assert!(kamaki(&env, &["config", "set", "colors", "on"])
        .await
        .status
        .success());
    let text = std::fs::read_to_string(&env.config).unwrap();
    assert!(text.starts_with("# Kamaki configuration file"), "{text}");
    assert!(
        text.contains("[cloud \"other\"]\nurl = http://x/identity/v2.0"),
        "{text}"
    );
    assert!(text.contains("colors = on"));
    let out = kamaki(&env, &["config", "list"]).await;
    assert!(stdout(&out).contains("global.colors on"));
    assert!(
        stdout(&out).contains("global.file_cli pithos"),
        "defaults are listed"
    );
    assert!(
        !stdout(&out).contains("log_file"),
        "no log file is offered that nothing writes"
    );
    assert!(
        stdout(&out).contains("cloud.emu.token ..."),
        "tokens are listed redacted"
    );
    assert!(kamaki(&env, &["config", "delete", "cloud.other"])
        .await
        .status
        .success());
    let out = kamaki(&env, &["config", "get", "cloud.other.url"]).await;
    assert!(!out.status.success());
    assert!(stderr(&out).contains("not found"));
    assert!(
        kamaki(&env, &["config", "set", "cloud.bad name.url", "x"])
            .await
            .status
            .code()
            != Some(0)
    );
    // The default cloud still works after the edits.
    assert!(kamaki(&env, &["user", "info"]).await.status.success());
}

#[tokio::test(flavor = "multi_thread")]
async fn missing_or_ambiguous_clouds_explain_what_to_set() {
    let emu = emulator().await;
    let env = env_for(&emu, "cli-token");
    std::fs::write(&env.config, "").unwrap();
    let out = kamaki(&env, &["user", "info"]).await;
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("kamaki config set cloud.<name>.url"),
        "{}",
        stderr(&out)
    );
    std::fs::write(
        &env.config,
        "[cloud \"a\"]\nurl = http://a\ntoken = t\n[cloud \"b\"]\nurl = http://b\ntoken = t\n",
    )
    .unwrap();
    let out = kamaki(&env, &["user", "info"]).await;
    assert!(
        stderr(&out).contains("several clouds are configured (a, b)"),
        "{}",
        stderr(&out)
    );
    std::fs::write(&env.config, "[cloud \"a\"]\nurl = http://a\n").unwrap();
    let out = kamaki(&env, &["user", "info"]).await;
    assert!(
        stderr(&out).contains("No TOKEN provided for cloud \"a\""),
        "{}",
        stderr(&out)
    );
    std::fs::write(&env.config, "[global\n").unwrap();
    let out = kamaki(&env, &["user", "info"]).await;
    assert!(stderr(&out).contains("line 1"), "{}", stderr(&out));
    let missing = Path::new("/nonexistent/kamakirc").display().to_string();
    let out = tokio::task::spawn_blocking(move || {
        assert_cmd::Command::cargo_bin("kamaki")
            .unwrap()
            .args(["--config", &missing, "user", "info"])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(stderr(&out).contains("does not exist"), "{}", stderr(&out));
}

#[tokio::test(flavor = "multi_thread")]
async fn history_keeps_commands_without_tokens() {
    let emu = emulator().await;
    let env = env_for(&emu, "cli-token");
    kamaki(&env, &["user", "authenticate", "cli-token"]).await;
    kamaki(&env, &["config", "set", "cloud.emu.token", "cli-token"]).await;
    kamaki(&env, &["user", "info"]).await;
    let out = kamaki(&env, &["history", "show"]).await;
    let text = stdout(&out);
    assert!(text.contains("1.  kamaki --config"), "{text}");
    assert!(text.contains("user authenticate ..."), "{text}");
    assert!(!text.contains("cli-token"), "{text}");
    assert!(!text.contains("config set"), "{text}");
    let out = kamaki(&env, &["history", "show", "2", "--match", "info"]).await;
    assert_eq!(stdout(&out).lines().count(), 1, "{}", stdout(&out));
    kamaki(&env, &["history", "clean"]).await;
    let out = kamaki(&env, &["history", "show"]).await;
    assert_eq!(
        stdout(&out).lines().count(),
        1,
        "only the show itself: {}",
        stdout(&out)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn version_help_and_completion() {
    let emu = emulator().await;
    let env = env_for(&emu, "cli-token");
    let out = kamaki(&env, &["--version"]).await;
    assert!(stdout(&out).starts_with("kamaki "));
    assert!(stdout(&out).contains("kamaki 0.16"), "{}", stdout(&out));
    let out = kamaki(&env, &["--help"]).await;
    assert!(stdout(&out).contains("user"));
    // A command's own options first, the global ones in their own section.
    let help = stdout(&kamaki(&env, &["file", "upload", "--help"]).await);
    let at = |text: &str| help.find(text).unwrap_or_else(|| panic!("{text}: {help}"));
    assert!(at("Options:") < at("--concurrency"), "{help}");
    assert!(at("--concurrency") < at("Global options:"), "{help}");
    assert!(at("Global options:") < at("--cloud"), "{help}");
    let out = succeeds(&env, &["completion", "bash"]).await;
    assert!(
        stdout(&out).contains("_kamaki"),
        "a bash completion function"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn syntax_errors_are_one_line_and_help_still_works() {
    let emu = emulator().await;
    let env = env_for(&emu, "cli-token");
    for args in [
        &["container", "create"][..],
        &["server", "list", "--no-such-option"][..],
        &["server", "no-such-command"][..],
    ] {
        let out = kamaki(&env, args).await;
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = stderr(&out);
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
        assert!(err.starts_with("Syntax error: "), "{err}");
        assert!(
            err.contains(&format!("see kamaki {} {}", args[0], args[1]))
                || err.contains(&format!("see kamaki {} --help", args[0])),
            "{err}"
        );
        assert!(stdout(&out).is_empty());
    }
    let out = succeeds(&env, &["container", "create", "--help"]).await;
    assert!(stdout(&out).contains("Usage: kamaki container create"));
}

#[test]
fn a_closed_stdout_ends_kamaki_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("kamakirc");
    std::fs::write(&config, "[global]\n").unwrap();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("kamaki"))
        .args(["--config", &config.display().to_string(), "config", "list"])
        .env("HOME", dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(
        !err.contains("panicked") && !err.contains("Broken pipe"),
        "{err}"
    );
    assert!(
        !matches!(output.status.code(), Some(1) | Some(101)),
        "{:?}",
        output.status
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn double_verbose_shows_bodies_and_reply_headers_without_the_token() {
    let emu = emulator().await;
    let env = env_for(&emu, "cli-token");
    let out = succeeds(&env, &["-vv", "user", "info"]).await;
    let trace = stderr(&out);
    assert!(trace.contains("request body:"), "{trace}");
    assert!(
        trace.contains("reply headers:") && trace.contains("content-type"),
        "{trace}"
    );
    assert!(
        trace.contains("reply body:") && trace.contains("serviceCatalog"),
        "{trace}"
    );
    assert!(!trace.contains("cli-token"), "the token is hidden: {trace}");

    // -v alone: requests and statuses, no bodies...
    let out = kamaki(&env, &["-v", "user", "info"]).await;
    assert!(!stderr(&out).contains("reply body:"), "{}", stderr(&out));
    // ... unless log_data is on.
    let config = std::fs::read_to_string(&env.config).unwrap();
    std::fs::write(
        &env.config,
        config.replacen("[global]\n", "[global]\nlog_data = on\n", 1),
    )
    .unwrap();
    let out = kamaki(&env, &["-v", "user", "info"]).await;
    assert!(stderr(&out).contains("reply body:"), "{}", stderr(&out));
    assert!(!stderr(&out).contains("cli-token"), "{}", stderr(&out));
    // -d shows kamaki's own trace, not other libraries' internals.
    let out = kamaki(&env, &["-d", "user", "info"]).await;
    assert!(stderr(&out).contains("reply body:"), "{}", stderr(&out));
    assert!(!stderr(&out).contains("hyper"), "{}", stderr(&out));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_authentication_url_is_named_with_the_fix() {
    let emu = emulator().await;
    let env = env_for(&emu, "cli-token");
    let config = std::fs::read_to_string(&env.config).unwrap();
    std::fs::write(
        &env.config,
        config.replace("/astakos/identity/", "/astakos/nowhere/"),
    )
    .unwrap();
    for args in [&["user", "info"][..], &["server", "list"][..]] {
        let out = kamaki(&env, args).await;
        assert_eq!(out.status.code(), Some(1));
        let err = stderr(&out);
        assert!(err.contains("404"), "{err}");
        assert!(
            err.contains(
                "the cloud's authentication URL? check it: kamaki config get cloud.emu.url"
            ),
            "{args:?}: {err}"
        );
    }
}
