//! stackdeck: the on-call engineer's dashboard for the courier stack on AWS.

use clap::Parser;
use stackdeck::cli;

#[tokio::main]
async fn main() {
    let cli = cli::Cli::parse();
    std::process::exit(cli::run(cli).await);
}
