//! `kamaki`: the command line tool of the Synnefo cloud.

use clap::Parser;

/// The command line client of the Synnefo cloud (Astakos, Cyclades, Pithos, Image).
#[derive(Debug, Parser)]
#[command(name = "kamaki", version, about, long_about = None)]
struct Cli {}

fn main() {
    let _cli = Cli::parse();
    println!(
        "kamaki {}: the command groups are being built; see `kamaki --help`",
        env!("CARGO_PKG_VERSION")
    );
}
