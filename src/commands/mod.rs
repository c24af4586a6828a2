//! Subcommands other than lint and doctor.
pub mod trust_policy;
