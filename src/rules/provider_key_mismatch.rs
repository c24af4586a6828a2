use crate::declare_rule;
use crate::diagnostics::finding::{Finding, Severity};
use crate::diagnostics::RuleMeta;
use crate::facts::Workspace;
use crate::model::trust::{normalize_issuer, oidc_issuer_of};
use crate::rules::util::{
    claim_key, oidc_federated, oidc_statements, policy_finding, policy_related,
};
use crate::rules::{Rule, Scope};

declare_rule! {
    /// A condition key's issuer differs from the OIDC provider in `Principal.Federated`.
    ///
    /// ## What it checks
    /// In OIDC web identity statements, every `<issuer>:sub`/`<issuer>:aud` (any identity
    /// provider key) must start with the issuer of the `Principal.Federated` provider ARN
    /// (`arn:aws:iam::<account>:oidc-provider/<issuer>`). A leading `https://` is left to IRSA007.
    ///
    /// ## Why it matters
    /// STS only puts the token's claims under the issuer of the provider that validated it. A
    /// key naming another cluster (a copy-paste from a second cluster, a region typo, a recreated
    /// cluster with a new ID) is simply absent, so a `StringEquals` on it fails and the role can
    /// never be assumed, while a negated or `IfExists` one silently stops restricting anything.
    ///
    /// ## Example
    /// ```json
    /// "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/AAAA"},
    /// "Condition": {"StringEquals": {"oidc.eks.us-west-2.amazonaws.com/id/AAAA:sub": "system:serviceaccount:app:api"}}
    /// ```
    /// Fixed: the key `oidc.eks.us-east-1.amazonaws.com/id/AAAA:sub`.
    pub struct ProviderKeyMismatch => ("IRSA006", "provider-key-mismatch", Severity::Error);
}

impl Rule for ProviderKeyMismatch {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    /// Workspace: a trust of an unrecognised provider is checked when a service account of the
    /// run, in any file, uses the role (`Workspace::eks_trusts`).
    fn scope(&self) -> Scope {
        Scope::Workspace
    }

    fn check(&self, ws: &Workspace, out: &mut Vec<Finding>) {
        for t in ws.eks_trusts() {
            let p = t.policy;
            for s in oidc_statements(&t) {
                let federated = oidc_federated(s);
                let issuers: Vec<(String, crate::syntax::yaml::Span)> = federated
                    .iter()
                    .filter_map(|v| oidc_issuer_of(&v.value).map(|(_, _, i)| (i, v.span)))
                    .collect();
                let Some((first_issuer, principal_span)) = issuers.first() else {
                    continue;
                };
                for c in &s.conditions {
                    let Some((prefix, claim)) = claim_key(&c.key) else {
                        continue;
                    };
                    let prefix = normalize_issuer(prefix);
                    if issuers.iter().any(|(i, _)| i.eq_ignore_ascii_case(prefix)) {
                        continue;
                    }
                    // An issuer set at deploy time on either side cannot be compared offline.
                    if deploy_time(prefix) || issuers.iter().any(|(i, _)| deploy_time(i)) {
                        continue;
                    }
                    out.push(
                        policy_finding(
                            &Self::META,
                            p,
                            c.key_span,
                            format!("condition key issuer `{prefix}` differs from the OIDC provider `{first_issuer}`{}: STS never sets this key", difference(prefix, first_issuer)),
                        )
                        .related(policy_related(p, *principal_span, "the federated OIDC provider"))
                        .help(format!("use the key `{first_issuer}:{claim}`")),
                    );
                }
            }
        }
    }
}

fn deploy_time(issuer: &str) -> bool {
    !crate::model::placeholder::template_placeholders(issuer).is_empty()
}

/// A hint at what differs between two EKS issuers: the region or the cluster ID.
fn difference(key_issuer: &str, provider: &str) -> String {
    let parts = |s: &str| -> Option<(String, String)> {
        let rest = s.strip_prefix("oidc.eks.")?;
        let (region, id) = rest.split_once(".amazonaws.com/id/")?;
        Some((region.to_string(), id.to_string()))
    };
    match (parts(key_issuer), parts(provider)) {
        (Some((r1, i1)), Some((r2, i2))) if r1 != r2 && i1 == i2 => {
            format!(" (region `{r1}` vs `{r2}`)")
        }
        (Some((r1, i1)), Some((r2, i2))) if r1 == r2 && i1 != i2 => {
            " (same region, another cluster ID)".to_string()
        }
        _ => String::new(),
    }
}
