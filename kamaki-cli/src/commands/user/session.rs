//! `user add`, `user select`, `user delete`: the session users are the
//! tokens of the cloud (`cloud.<name>.token`, the first is the current
//! user). kamaki keeps added users in memory and asks whether to change the
//! config file; each run here is one process, so the question is what
//! matters: it is asked when stdin is a terminal, `-y/--yes` answers yes,
//! and without a terminal the file is left as it is (said on stderr).

use std::io::{BufRead, IsTerminal, Write};

use serde_json::Value;

use super::session_tokens;
use crate::config::OptionPath;
use crate::context::Ctx;
use crate::error::{CliError, CliResult};

/// Asks a yes/no question on stderr; `yes` answers it at once.
fn confirm(question: &str, yes: bool) -> bool {
    if yes {
        return true;
    }
    if !std::io::stdin().is_terminal() {
        eprintln!("{question} Not asked: stdin is not a terminal (use -y/--yes to confirm)");
        return false;
    }
    eprint!("{question} [y/N]: ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    if std::io::stdin().lock().read_line(&mut answer).is_err() {
        return false;
    }
    matches!(answer.trim().to_lowercase().as_str(), "y" | "yes")
}

/// Saves the cloud's tokens, in this order, in the config file.
fn save_tokens(ctx: &mut Ctx, tokens: &[String]) -> CliResult {
    let cloud = ctx.session.cloud(ctx.global.cloud.as_deref())?;
    let config = &mut ctx.session.config;
    config.set(
        &OptionPath::CloudKey(cloud.name.clone(), "token".into()),
        &tokens.join(" "),
    )?;
    config.write()
}

fn name_of(user: &Value) -> String {
    user["name"].as_str().unwrap_or("<USER>").to_string()
}

/// The session user a `--user` names (uuid, user name or display name),
/// with its token and its place among the tokens.
async fn find_user(ctx: &mut Ctx, wanted: &str) -> CliResult<(usize, Vec<(String, Value)>)> {
    let users = session_tokens(ctx).await?;
    let by_id = |id: &str| users.iter().position(|(_, u)| u["id"] == id);
    if let Some(i) = by_id(wanted) {
        return Ok((i, users));
    }
    let uuid = ctx.astakos()?.get_uuids(&[wanted]).await?.remove(wanted);
    let found = uuid
        .as_deref()
        .and_then(by_id)
        .or_else(|| users.iter().position(|(_, u)| u["name"] == wanted));
    match found {
        Some(i) => Ok((i, users)),
        None => Err(CliError::new(format!(
            "No user {wanted} in the session list (see kamaki user list; add one with kamaki user add --token TOKEN)"
        ))),
    }
}

/// `user add`.
pub async fn add(ctx: &mut Ctx, token: &str, yes: bool) -> CliResult {
    let cloud = ctx.session.cloud(ctx.global.cloud.as_deref())?;
    let astakos = ctx.session.astakos_for(&cloud.url, token)?;
    let info = astakos.authenticate().await.map_err(|e| match e.status() {
        401 => CliError::new(
            "Token was not authenticated (401 Unauthorized): check the token given with --token",
        ),
        _ => e.into(),
    })?;
    ctx.out.print(&info)?;
    if cloud.tokens.iter().any(|t| t == token) {
        return Ok(());
    }
    if confirm(
        &format!(
            "Append the token to cloud.{}.token in the config file as an alternative token?",
            cloud.name
        ),
        yes,
    ) {
        let mut tokens = cloud.tokens.clone();
        tokens.push(token.to_string());
        save_tokens(ctx, &tokens)?;
        eprintln!("Token added to cloud.{}.token", cloud.name);
    }
    Ok(())
}

/// `user select`.
pub async fn select(ctx: &mut Ctx, wanted: &str, yes: bool) -> CliResult {
    let (index, users) = find_user(ctx, wanted).await?;
    let (_, user) = &users[index];
    let name = name_of(user);
    if index == 0 {
        eprintln!("User {name} is already the selected session user");
        return Ok(());
    }
    eprintln!(
        "User {name} with id {} is now the current session user",
        user["id"].as_str().unwrap_or("")
    );
    if confirm(
        &format!("Make {name} the default user for future sessions?"),
        yes,
    ) {
        let cloud = ctx.session.cloud(ctx.global.cloud.as_deref())?;
        let chosen = users[index].0.clone();
        let mut tokens: Vec<String> = cloud.tokens.into_iter().filter(|t| *t != chosen).collect();
        tokens.insert(0, chosen);
        save_tokens(ctx, &tokens)?;
        eprintln!("{name} is now the default user");
    }
    Ok(())
}

/// `user delete`.
pub async fn delete(ctx: &mut Ctx, wanted: &str, yes: bool) -> CliResult {
    let (index, users) = find_user(ctx, wanted).await?;
    if index == 0 {
        return Err(CliError::new(
            "Cannot remove the current session user (select another first: kamaki user select --user UUID_OR_USERNAME)",
        ));
    }
    let name = name_of(&users[index].1);
    if confirm("Delete the user's token from the config file?", yes) {
        let cloud = ctx.session.cloud(ctx.global.cloud.as_deref())?;
        let dropped = users[index].0.clone();
        let tokens: Vec<String> = cloud.tokens.into_iter().filter(|t| *t != dropped).collect();
        save_tokens(ctx, &tokens)?;
        eprintln!("User {name} deleted from cloud.{}.token", cloud.name);
    }
    Ok(())
}
