//! kubectl-irsa: lint and diagnose IAM Roles for Service Accounts.
pub mod app;
pub mod cli;
pub mod commands;
pub mod config;
pub mod doctor;
pub mod helm;
pub mod input;
pub mod lint;
pub mod model;
pub mod packs;
pub mod report;
pub mod rules;
pub mod workspace;
