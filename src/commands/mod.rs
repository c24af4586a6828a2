//! Subcommands other than lint: doctor (live checks) and trust-policy.
pub mod doctor;
pub mod trust_policy;
