//! What the CLI tests share: a config file written for an emulator, and
//! running the `kamaki` binary with it.

#![allow(dead_code)] // each test file uses its own share of these

use std::path::PathBuf;
use std::process::Output;

use synnefo_emu::Emulator;

/// A temporary home with a kamakirc for one cloud, `emu`.
pub struct Env {
    _dir: tempfile::TempDir,
    /// The config file.
    pub config: PathBuf,
    /// The home directory (history and log files go there).
    pub home: PathBuf,
}

/// A config file whose default cloud is the emulator, with this token.
pub fn env_for(emu: &Emulator, token: &str) -> Env {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("kamakirc");
    std::fs::write(
        &config,
        format!(
            "[global]\ndefault_cloud = emu\n\n[cloud \"emu\"]\nurl = {}\ntoken = {token}\n",
            emu.auth_url()
        ),
    )
    .unwrap();
    let home = dir.path().to_path_buf();
    Env {
        _dir: dir,
        config,
        home,
    }
}

/// Runs `kamaki --config <env's> ARGS` (off the async runtime, so that the
/// in-process emulator keeps serving).
pub async fn kamaki(env: &Env, args: &[&str]) -> Output {
    kamaki_with(env, &[], args).await
}

/// [`kamaki`] with these environment variables set (e.g. `TZ`).
pub async fn kamaki_with(env: &Env, vars: &[(&str, &str)], args: &[&str]) -> Output {
    let vars: Vec<(String, String)> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let mut all = vec!["--config".to_string(), env.config.display().to_string()];
    all.extend(args.iter().map(|a| a.to_string()));
    let home = env.home.clone();
    tokio::task::spawn_blocking(move || {
        assert_cmd::Command::cargo_bin("kamaki")
            .unwrap()
            .args(&all)
            .env("HOME", home)
            .env_remove("KAMAKI_CONFIG")
            .env_remove("PAGER")
            .envs(vars)
            .output()
            .unwrap()
    })
    .await
    .unwrap()
}

/// What the command printed on stdout.
pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// What the command printed on stderr.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Nothing a terminal would take as drawing: bars stay on stderr, and are
/// hidden when it is not a terminal; no colour escapes either.
pub fn assert_no_bar_bytes(out: &Output) {
    for stream in [&out.stdout, &out.stderr] {
        assert!(
            !stream.iter().any(|b| *b == b'\r' || *b == 0x1b),
            "{}",
            String::from_utf8_lossy(stream)
        );
    }
}

/// Runs a command that must succeed (drawing nothing on a non-terminal);
/// what it printed on stdout.
pub async fn ok(env: &Env, args: &[&str]) -> String {
    stdout(&succeeds(env, args).await)
}

/// Runs a command that must succeed (drawing nothing on a non-terminal);
/// what it printed on stderr (progress, questions, notes).
pub async fn ok_err(env: &Env, args: &[&str]) -> String {
    stderr(&succeeds(env, args).await)
}

/// Runs a command that must succeed (drawing nothing on a non-terminal);
/// all it printed, for checks on both streams.
pub async fn succeeds(env: &Env, args: &[&str]) -> Output {
    let out = kamaki(env, args).await;
    assert!(
        out.status.success(),
        "kamaki {}: {}{}",
        args.join(" "),
        stderr(&out),
        stdout(&out)
    );
    assert_no_bar_bytes(&out);
    out
}

/// Runs a command with `--output-format json`; its output, parsed.
pub async fn json(env: &Env, args: &[&str]) -> serde_json::Value {
    let mut all = args.to_vec();
    all.extend(["--output-format", "json"]);
    let text = ok(env, &all).await;
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}: {text}", args.join(" ")))
}

/// Checks a failure: exit status 1, one line on stderr holding every one
/// of `needles`, nothing on stdout.
pub fn assert_one_line_error(out: &Output, needles: &[&str]) {
    assert_eq!(out.status.code(), Some(1), "{}{}", stdout(out), stderr(out));
    let err = stderr(out);
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    for needle in needles {
        assert!(err.contains(needle), "{needle:?} in {err}");
    }
    assert!(stdout(out).is_empty(), "{}", stdout(out));
}

/// Runs a command that must fail with one line holding `words`; the line.
pub async fn fails(env: &Env, args: &[&str], words: &[&str]) -> String {
    let out = kamaki(env, args).await;
    assert_one_line_error(&out, words);
    stderr(&out).trim_end().to_string()
}
