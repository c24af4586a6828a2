//! kubectl-irsa: lint and diagnose IAM Roles for Service Accounts.
pub mod input;
pub mod model;
pub mod report;
pub mod rules;
pub mod workspace;
