//! Which trust policy belongs to which service account.
//!
//! Every pairing path (a role CR, a file named after the role, `.irsa.yaml` `roles:`, and the
//! front-ends to come) sets `PolicyInput::role_name`; this joins it with the role ARN a service
//! account carries (an annotation, or eksctl `attachRoleARN`). Checks that need both sides
//! (the `sub` cross-check, the provider's account) read the pairs, so a new path gets them all.

use std::collections::HashMap;

use crate::facts::{PolicyInput, ServiceAccount, Workspace};
use crate::model::arn::{parse_role_arn, parse_templated};
use crate::model::policy::{PolicyDocument, Spanned};
use crate::model::trust;

/// A service account and a trust policy of the role it carries.
pub struct TrustPair<'a> {
    pub sa: &'a ServiceAccount,
    pub policy: &'a PolicyInput,
    pub doc: &'a PolicyDocument,
    /// The role's name, account and partition, from the service account's ARN. An account set
    /// at deploy time is `UNKNOWN_ACCOUNT`, a partition set at deploy time is empty.
    pub role: &'a str,
    pub account: String,
    pub partition: String,
}

/// A `Principal.Federated` OIDC provider of a paired trust outside the role's account.
pub struct ForeignProvider<'a> {
    pub value: &'a Spanned<String>,
    pub account: String,
    pub partition: String,
    pub issuer: String,
}

impl Workspace {
    /// Every (service account, trust policy of its role) pair, in workspace order.
    pub fn trust_pairs(&self) -> Vec<TrustPair<'_>> {
        // Indexed once: a scan per service account is quadratic on large repositories.
        let mut trusts: HashMap<&str, Vec<(&PolicyInput, &PolicyDocument)>> = HashMap::new();
        for p in self.policies.iter().filter(|p| p.is_trust()) {
            if let (Some(role), Some(doc)) = (p.role_name.as_deref(), p.document()) {
                trusts.entry(role).or_default().push((p, doc));
            }
        }
        let mut out = Vec::new();
        if trusts.is_empty() {
            return out;
        }
        for sa in &self.service_accounts {
            // A role name written out pairs even when other parts are set at deploy time.
            let Some(Ok(arn)) = sa
                .role_arn_value()
                .map(|v| parse_templated(v.trim(), parse_role_arn))
            else {
                continue;
            };
            let Some((role, found)) = arn.role_name().and_then(|n| trusts.get_key_value(n)) else {
                continue;
            };
            for (policy, doc) in found {
                out.push(TrustPair {
                    sa,
                    policy,
                    doc,
                    role,
                    account: arn.account().unwrap_or(super::UNKNOWN_ACCOUNT).to_string(),
                    partition: arn.partition().unwrap_or_default().to_string(),
                });
            }
        }
        out
    }
}

impl<'a> TrustPair<'a> {
    /// OIDC providers of web identity statements that are not in the role's account (or
    /// partition): STS looks the provider up in the role's own account, so they never match.
    pub fn foreign_providers(&self) -> Vec<ForeignProvider<'a>> {
        let doc: &'a PolicyDocument = self.doc;
        let mut out = Vec::new();
        for s in trust::web_identity_statements(doc) {
            for v in s.principal.iter().flat_map(|p| p.federated()) {
                let Some((partition, account, issuer)) = trust::oidc_issuer_of(&v.value) else {
                    continue;
                };
                // An account a front-end could not know (a Terraform role before apply) is not compared.
                let unknown = account == super::UNKNOWN_ACCOUNT
                    || self.account == super::UNKNOWN_ACCOUNT
                    || partition.is_empty()
                    || self.partition.is_empty();
                if !unknown && (account != self.account || partition != self.partition) {
                    out.push(ForeignProvider {
                        value: v,
                        account,
                        partition,
                        issuer,
                    });
                }
            }
        }
        out
    }
}
