use crate::declare_rule;
use crate::diagnostics::finding::{Finding, Location, Severity};
use crate::diagnostics::RuleMeta;
use crate::facts::Workspace;
use crate::rules::util::sa_related;
use crate::rules::{Rule, Scope};

declare_rule! {
    /// The role's trust names an OIDC provider in another AWS account than the role.
    ///
    /// ## What it checks
    /// For every service account whose role `arn:aws:iam::A:role/R` is paired with a trust policy
    /// of `R` in the same run (an ACK/Crossplane Role CR, a file named after the role, a `roles:`
    /// entry in `.irsa.yaml`, an eksctl `attachRoleARN`), each `Principal.Federated` OIDC
    /// provider of its web identity statements must be `arn:aws:iam::A:oidc-provider/…`: the
    /// same account (and partition) as the role.
    ///
    /// ## Why it matters
    /// `AssumeRoleWithWebIdentity` looks the token's issuer up among the IAM OIDC providers of the
    /// role's own account. A statement naming a provider in account B never matches, so every pod
    /// gets `AccessDenied` (or `InvalidIdentityToken: No OpenIDConnect provider found`), even
    /// though `sub` and `aud` are right. Swapped or mistyped account digits cause exactly this.
    /// Cross-account IRSA needs an OIDC provider for the cluster's issuer in the role's account.
    ///
    /// ## Example
    /// The service account carries `arn:aws:iam::111122223333:role/app`, but the trust says:
    /// ```json
    /// "Principal": {"Federated": "arn:aws:iam::111122223323:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC"}
    /// ```
    /// Fixed: `arn:aws:iam::111122223333:oidc-provider/…` (create the provider in that account
    /// when the cluster lives elsewhere).
    pub struct ProviderAccountMismatch => ("IRSA025", "provider-account-mismatch", Severity::Error);
}

impl Rule for ProviderAccountMismatch {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn scope(&self) -> Scope {
        Scope::Workspace
    }

    fn check(&self, ws: &Workspace, out: &mut Vec<Finding>) {
        for pair in ws.trust_pairs() {
            for foreign in pair.foreign_providers() {
                let (role, account, partition) = (pair.role, &pair.account, &pair.partition);
                let what = if &foreign.partition != partition {
                    format!("partition `{}`, not `{partition}`", foreign.partition)
                } else {
                    format!("account `{}`, not `{account}`", foreign.account)
                };
                // No automatic fix: either ARN may hold the typo.
                let finding = Finding::new(
                    &Self::META,
                    format!(
                        "role `{role}` is in account `{account}`, but its trust names the OIDC provider of {what}: STS only looks up providers in the role's own account, so this statement never matches"
                    ),
                )
                .at(Location::new(&pair.policy.file, foreign.value.span).with_message(format!("should be in account `{account}`")))
                .related(sa_related(pair.sa, &format!("the service account carries role `{role}` of account `{account}` here")))
                .object(pair.sa.object.object_ref())
                .help(format!(
                    "write `arn:{partition}:iam::{account}:oidc-provider/{}`, and make sure that provider exists in account `{account}`; or fix the account in the service account's role ARN",
                    foreign.issuer
                ));
                out.push(finding);
            }
        }
    }
}
