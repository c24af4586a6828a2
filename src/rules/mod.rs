//! Layer 6, offline checks: the rule trait, one rule per file, the registry, and the
//! declarative rule packs.

use crate::diagnostics::finding::Finding;
use crate::diagnostics::RuleMeta;
use crate::facts::Workspace;

/// What a rule reads at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// One file (or one chart render) at a time, while the run streams through the inputs.
    File,
    /// Every service account and trust policy of the run, after all files are read.
    Workspace,
}

/// An offline check.
pub trait Rule: Send + Sync {
    fn meta(&self) -> &'static RuleMeta;
    /// File rules see a workspace of one file; workspace rules see what every file left behind
    /// (service accounts and trust policies; see `lint::unit`).
    fn scope(&self) -> Scope {
        Scope::File
    }
    fn check(&self, ws: &Workspace, out: &mut Vec<Finding>);
    /// Findings that hold only if a workload's service account carries a role (see `candidate`).
    fn candidates(&self, _ws: &Workspace, _out: &mut Vec<candidate::Candidate>) {}
}

pub mod access_analyzer;
pub mod arn_fields;
pub mod audience_mismatch;
pub mod broad_permissions;
pub mod broad_sub_wildcard;
pub mod candidate;
pub mod chart_values;
pub mod deploy_time_placeholder;
pub mod duplicate_policy_key;
pub mod duplicate_role_annotation;
pub mod duplicate_sa_creator;
pub mod for_any_value_claim;
pub mod https_condition_key;
pub mod input_error;
pub mod intrinsic_map_key;
pub mod invalid_policy_document;
pub mod invalid_role_arn;
pub mod legacy_iam_annotation;
pub mod missing_sub_condition;
pub mod oidc_provider_arn_doubled;
pub mod packs;
pub mod pod_identity_and_irsa;
pub mod pod_identity_duplicate;
pub mod pod_identity_sa_missing;
pub mod pod_identity_trust;
pub mod provider_account_mismatch;
pub mod provider_key_mismatch;
pub mod registry;
pub mod role_arn_annotation_key;
pub mod role_arn_ignored_key;
pub mod roles_anywhere_config;
pub mod sa_annotation_value;
pub mod same_key_anded;
pub mod static_credentials;
pub mod sub_shape;
pub mod token_unreadable;
pub mod trust_policy_grammar;
pub mod trust_policy_size;
pub mod trust_sub_mismatch;
pub mod trusted_sa_other_role;
pub mod util;
pub mod values_key_typo;
pub mod wildcard_string_equals;
pub mod wrong_principal_action;
