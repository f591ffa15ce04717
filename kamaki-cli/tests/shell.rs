//! kamaki's interactive shell (`kamaki-shell`, `kamaki shell`) against the
//! emulator, its lines given on a pipe.

mod common;

use std::process::Output;

use common::{env_for, stderr, stdout, Env};
use serde_json::Value;
use synnefo_emu::Emulator;

const DEBIAN: &str = "1d1f1a25-9f06-4c26-95e6-1c9a2f0b6a01";

async fn emulator() -> Emulator {
    Emulator::builder()
        .user("cli@example.com", "cli-token")
        .start()
        .await
        .unwrap()
}

/// Runs the shell program `bin` (`kamaki-shell`, or `kamaki` with `shell`
/// as its first argument) with the env's config and `options`, typing
/// `lines` (off the async runtime, so that the emulator keeps serving).
async fn shell_with(env: &Env, bin: &str, options: &[&str], lines: &str) -> Output {
    let mut args: Vec<String> = Vec::new();
    if bin == "kamaki" {
        args.push("shell".into());
    }
    args.extend(["--config".to_string(), env.config.display().to_string()]);
    args.extend(options.iter().map(|o| o.to_string()));
    let home = env.home.clone();
    let input = lines.to_string();
    let bin = bin.to_string();
    tokio::task::spawn_blocking(move || {
        assert_cmd::Command::cargo_bin(&bin)
            .unwrap()
            .args(&args)
            .env("HOME", home)
            .env_remove("KAMAKI_CONFIG")
            .env_remove("KAMAKI_DEFAULT_CLOUD")
            .write_stdin(input)
            .output()
            .unwrap()
    })
    .await
    .unwrap()
}

async fn shell(env: &Env, lines: &str) -> Output {
    shell_with(env, "kamaki-shell", &[], lines).await
}

/// What the commands printed: stdout after the greeting.
fn printed(out: &Output) -> String {
    let text = stdout(out);
    match text.split_once("Session user is ") {
        Some((_, rest)) => rest
            .split_once('\n')
            .map(|(_, r)| r)
            .unwrap_or("")
            .to_string(),
        None => panic!("no greeting: {text}"),
    }
}

/// The lines of the history file (without its first line, the offset).
fn history(env: &Env) -> Vec<String> {
    let text = std::fs::read_to_string(env.home.join(".kamaki.history")).unwrap_or_default();
    text.lines().skip(1).map(str::to_string).collect()
}

fn servers_listed(text: &str, name: &str) -> usize {
    text.lines()
        .filter(|l| {
            l.split_once(' ')
                .is_some_and(|(id, n)| n == name && id.chars().all(|c| c.is_ascii_digit()))
        })
        .count()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_greeting_names_the_user_and_exit_ends_with_status_0() {
    let emu = emulator().await;
    let env = env_for(&emu, "cli-token");
    let me = emu.user();

    let out = shell(&env, "exit\nserver list\n").await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.starts_with(&format!(
            "kamaki v{} - Interactive Shell\n",
            env!("CARGO_PKG_VERSION")
        )),
        "{text}"
    );
    for keys in ["/exit", "exit or ^D", "? or help", "?command", "!<command>"] {
        assert!(text.contains(keys), "{keys} in {text}");
    }
    assert!(
        text.contains(&format!(
            "Session user is {} (uuid: {})",
            me.realname, me.uuid
        )),
        "{text}"
    );
    // Nothing after `exit` at the top ran.
    assert_eq!(printed(&out), "");
    assert!(
        !emu.requests().iter().any(|r| r.path.contains("servers")),
        "{:?}",
        emu.requests()
    );
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));

    // The end of the input ends it too, from within contexts.
    let out = shell_with(&env, "kamaki", &[], "server\nfile\n").await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("Interactive Shell"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_context_runs_its_commands_and_a_slash_reaches_the_top() {
    let emu = emulator().await;
    let env = env_for(&emu, "cli-token");

    let lines = format!(
        "server\n\
         create --name web --flavor-id 1 --image-id {DEBIAN} -w\n\
         list\n\
         /container create pithos\n\
         /file mkdir photos\n\
         /file list\n\
         list\n\
         exit\n\
         list\n"
    );
    let out = shell(&env, &lines).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = printed(&out);
    // `list` ran in [server] before and after the top-level commands; the
    // last `list`, typed at the top after `exit`, is no command.
    assert_eq!(servers_listed(&text, "web"), 2, "{text}");
    assert!(text.lines().any(|l| l.contains("photos")), "{text}");
    let err = stderr(&out);
    let errors: Vec<&str> = err
        .lines()
        .filter(|l| !l.contains("status: ACTIVE"))
        .collect();
    assert_eq!(errors.len(), 1, "{err}");
    assert!(errors[0].contains("'list'"), "{err}");
    let containers: Vec<_> = emu
        .requests()
        .into_iter()
        .filter(|r| r.method == "PUT" && r.path.ends_with("/pithos"))
        .collect();
    assert_eq!(containers.len(), 1, "{containers:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn output_format_json_per_line_or_for_the_whole_shell() {
    let emu = emulator().await;
    let env = env_for(&emu, "cli-token");

    let out = shell(&env, "flavor\nlist --output-format json\n").await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let flavors: Value = serde_json::from_str(&printed(&out)).unwrap();
    let flavors = flavors.as_array().unwrap();
    assert!(!flavors.is_empty());
    assert!(flavors.iter().all(|f| f.get("id").is_some()), "{flavors:?}");

    let out = shell_with(
        &env,
        "kamaki",
        &["--output-format", "json"],
        "flavor info 1\n",
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let flavor: Value = serde_json::from_str(&printed(&out)).unwrap();
    assert_eq!(flavor["vcpus"], 1, "{flavor}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bad_line_prints_one_error_line_and_the_next_line_runs() {
    let emu = emulator().await;
    let env = env_for(&emu, "cli-token");

    let lines = "server lst\n\
                 server list --bogus\n\
                 server info 424242\n\
                 file list 'unbalanced\n\
                 flavor info 1\n";
    let out = shell(&env, lines).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    let errors: Vec<&str> = err.lines().collect();
    assert_eq!(errors.len(), 4, "{err}");
    assert!(errors[0].contains("'lst'"), "{err}");
    assert!(errors[1].contains("--bogus"), "{err}");
    assert!(errors[2].contains("424242"), "{err}");
    assert!(errors[3].contains("quotes"), "{err}");
    assert!(
        !err.contains("Usage:") && !err.lines().any(|l| l.starts_with("error:")),
        "clap's usage block: {err}"
    );
    // The last line still ran.
    assert!(printed(&out).contains("vcpus: 1"), "{}", stdout(&out));
}

#[tokio::test(flavor = "multi_thread")]
async fn help_lists_the_context_and_describes_commands() {
    let emu = emulator().await;
    let env = env_for(&emu, "cli-token");

    let out = shell(&env, "server\n?\n?list\n/help flavor list\nlist -h\n").await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = printed(&out);
    assert!(text.starts_with("server commands:\n"), "{text}");
    assert!(text.lines().any(|l| l.starts_with("  list ")), "{text}");
    assert!(text.contains("Syntax: list [OPTIONS]"), "{text}");
    assert!(text.contains("Syntax: flavor list [OPTIONS]"), "{text}");
    // `-h` is clap's whole help of the command.
    assert!(text.contains("Usage: kamaki server list"), "{text}");
    assert!(text.contains("--details"), "{text}");
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
    // Help asks the cloud nothing.
    assert!(!emu.requests().iter().any(|r| r.path.contains("servers")));
}

#[tokio::test(flavor = "multi_thread")]
async fn commands_share_one_authentication() {
    let emu = emulator().await;
    let env = env_for(&emu, "cli-token");

    let out = shell(
        &env,
        "server list\nflavor list\nserver\nlist\n/flavor list\n",
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let requests = emu.requests();
    let tokens = requests
        .iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/tokens"))
        .count();
    assert_eq!(tokens, 1, "{requests:?}");
    let servers = requests
        .iter()
        .filter(|r| r.method == "GET" && r.path.contains("/servers"))
        .count();
    assert_eq!(servers, 2, "{requests:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn history_gets_every_command_without_the_token() {
    let emu = emulator().await;
    let env = env_for(&emu, "cli-token");

    let lines = "server\n\
                 list\n\
                 ?\n\
                 /flavor list -n 2\n\
                 exit\n\
                 user authenticate cli-token\n\
                 config set cloud.emu.token cli-token\n\
                 history show\n";
    let out = shell(&env, lines).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let recorded = history(&env);
    assert_eq!(
        recorded,
        [
            "kamaki server list",
            "kamaki flavor list -n 2",
            "kamaki user authenticate ...",
            "kamaki history show",
        ],
        "{recorded:?}"
    );
    let file = std::fs::read_to_string(env.home.join(".kamaki.history")).unwrap();
    assert!(!file.contains("cli-token"), "{file}");
    // `history show` in the shell saw the lines recorded before it.
    assert!(
        printed(&out).contains("3.  kamaki user authenticate ..."),
        "{}",
        stdout(&out)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_token_is_one_error_line_and_a_failure() {
    let emu = emulator().await;
    let env = env_for(&emu, "wrong-token");

    let out = shell(&env, "server list\n").await;
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let err = stderr(&out);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains("401"), "{err}");
    assert!(!err.contains("wrong-token"), "{err}");
    assert!(stdout(&out).is_empty(), "{}", stdout(&out));
    assert!(!emu.requests().iter().any(|r| r.path.contains("servers")));
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn os_commands_run_in_the_system_shell() {
    let emu = emulator().await;
    let env = env_for(&emu, "cli-token");

    let out = shell(&env, "!echo one   two\nserver\nshell echo \"$HOME\"\n").await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = printed(&out);
    assert_eq!(
        text.lines().collect::<Vec<_>>(),
        ["one two", env.home.display().to_string().as_str()],
        "{text}"
    );
    // OS commands are not kamaki's history.
    assert!(history(&env).is_empty(), "{:?}", history(&env));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_question_reads_its_answer_from_the_next_line() {
    let emu = emulator().await;
    let env = env_for(&emu, "cli-token");

    let lines = "container create pithos\n\
                 file\n\
                 mkdir keep\n\
                 mkdir drop\n\
                 delete drop\n\
                 y\n\
                 delete keep\n\
                 n\n\
                 list\n";
    let out = shell(&env, lines).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = printed(&out);
    assert!(text.contains("keep"), "{text}");
    assert!(!text.contains("drop"), "{text}");
    // The answers were not taken for commands.
    assert!(!stderr(&out).contains("'y'"), "{}", stderr(&out));
}

#[tokio::test(flavor = "multi_thread")]
async fn config_changes_apply_to_the_next_lines() {
    let emu = emulator().await;
    let env = env_for(&emu, "cli-token");

    let lines = "config set cloud.emu.token not-a-token\n\
                 server list\n\
                 config set cloud.emu.token cli-token\n\
                 server list\n";
    let out = shell(&env, lines).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("401"), "{err}");
    assert!(!err.contains("not-a-token"), "{err}");
    let servers: Vec<u16> = emu
        .requests()
        .into_iter()
        .filter(|r| r.path.ends_with("/servers"))
        .map(|r| r.status)
        .collect();
    assert_eq!(servers, [200], "{servers:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn verbose_on_a_line_traces_that_line_alone() {
    let emu = emulator().await;
    let env = env_for(&emu, "cli-token");
    let out = shell(&env, "flavor info 1 -v\nflavor info 2\n").await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    let traced: Vec<&str> = err.lines().filter(|l| l.contains("/flavors/")).collect();
    assert!(
        traced.iter().any(|l| l.contains("/flavors/1")),
        "the -v line is traced: {err}"
    );
    assert!(
        !traced.iter().any(|l| l.contains("/flavors/2")),
        "the next line is not: {err}"
    );
    assert!(!err.contains("cli-token"), "{err}");
}
