//! `kubectl irsa doctor`: live checks against a cluster and IAM, read-only (`--apply-reports`
//! writes OpenReports objects, nothing else: `commands::doctor::apply`).
//!
//! Kubernetes: GET/LIST only (`cluster.rs`). IAM: Get*/List* only (`iam.rs`). Every failed read
//! becomes an IRSA100 "could not verify" finding (`fault.rs`); nothing is reported OK unverified.

pub mod aws;
pub mod checks;
pub mod cluster;
pub mod eks;
pub mod eks_target;
pub mod fault;
pub mod iam;
pub mod memo;
pub mod permits;
pub mod pod_identity;
pub mod progress;
pub mod rules;
pub mod rules_eks;
pub mod rules_pod;
pub mod shared;
pub mod shared_eks;
pub mod view;

use crate::diagnostics::RuleMeta;

/// Every live rule, for the registry (`built-in (live)`).
pub fn live_rule_metas() -> Vec<&'static RuleMeta> {
    let mut metas = rules::metas();
    metas.extend(rules_pod::metas());
    metas.extend(rules_eks::metas());
    metas
}
