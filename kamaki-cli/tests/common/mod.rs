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
