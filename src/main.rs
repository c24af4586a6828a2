use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = kubectl_irsa::cli::Cli::parse();
    kubectl_irsa::app::run(cli)
}
