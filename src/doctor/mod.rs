//! `kubectl irsa doctor`: live checks against a cluster and IAM, read-only.
pub mod cli;

pub fn run(args: cli::DoctorArgs) -> u8 {
    let _ = args;
    eprintln!("error: doctor is not available in this build");
    crate::app::EXIT_TOOL_ERROR
}
