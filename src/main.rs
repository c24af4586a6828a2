use std::process::ExitCode;

use clap::Parser;

/// Lint allocates many small values across threads; glibc's malloc was a third of the profile.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = kubectl_irsa::cli::Cli::parse();
    kubectl_irsa::app::run(cli)
}
