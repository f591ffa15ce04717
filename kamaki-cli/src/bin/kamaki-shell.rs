//! `kamaki-shell`: kamaki's interactive shell under the name kamaki gave it.
//!
//! It is `kamaki shell` with the same options: this program only starts the
//! `kamaki` installed beside it (or, failing that, the one on `PATH`), so
//! that the command tree is compiled once, into `kamaki`.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::{Command, ExitCode};

/// The `kamaki` next to this program, else plain `kamaki` (found on PATH).
fn kamaki_binary() -> PathBuf {
    let name = format!("kamaki{}", std::env::consts::EXE_SUFFIX);
    std::env::current_exe()
        .ok()
        .and_then(|me| me.parent().map(|dir| dir.join(&name)))
        .filter(|path| path.is_file())
        .unwrap_or_else(|| PathBuf::from(name))
}

fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    let kamaki = kamaki_binary();
    let mut command = Command::new(&kamaki);
    command.arg("shell").args(&args);
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        // exec only returns on failure.
        let error = command.exec();
        eprintln!("kamaki-shell: cannot run {}: {error}", kamaki.display());
        ExitCode::FAILURE
    }
    #[cfg(not(unix))]
    match command.status() {
        Ok(status) if status.success() => ExitCode::SUCCESS,
        Ok(_) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("kamaki-shell: cannot run {}: {error}", kamaki.display());
            ExitCode::FAILURE
        }
    }
}
