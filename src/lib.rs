//! kubectl-irsa: lint and diagnose IAM Roles for Service Accounts.
pub mod app;
pub mod cli;
pub mod commands;
pub mod config;
pub mod doctor;
/// Facts (layer 4); becomes `src/facts/mod.rs` when `workspace` moves there.
pub mod facts {
    pub mod release;
}
/// Front-ends (layer 5); becomes `src/frontends/mod.rs` with the layering.
pub mod frontends {
    pub mod helmfile;
    pub mod release;
}
pub mod helm;
pub mod input;
pub mod lint;
pub mod model;
pub mod packs;
pub mod report;
pub mod rules;
pub mod workspace;
