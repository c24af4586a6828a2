use crate::declare_rule;
use crate::diagnostics::finding::{Finding, Severity};
use crate::diagnostics::RuleMeta;
use crate::facts::Workspace;
use crate::rules::util::policy_finding;
use crate::rules::{Rule, Scope};

declare_rule! {
    /// The Federated OIDC provider ARN contains a second ARN (`…:oidc-provider/arn:aws:iam::…`).
    ///
    /// ## What it checks
    /// `Principal.Federated` values of trust policies whose provider path after `:oidc-provider/`
    /// is itself an ARN. In CloudFormation this comes from
    /// `!Sub "arn:aws:iam::${AWS::AccountId}:oidc-provider/${Provider}"` where `Provider` is an
    /// `AWS::IAM::OIDCProvider`: its `Ref` already returns the provider's ARN.
    ///
    /// ## Why it matters
    /// No provider has that ARN, so `AssumeRoleWithWebIdentity` is denied for every pod (IAM may
    /// even reject the policy at deploy time).
    ///
    /// ## Example
    /// ```yaml
    /// Principal:
    ///   Federated: !Sub "arn:aws:iam::${AWS::AccountId}:oidc-provider/${ClusterOidcProvider}"
    /// ```
    /// Fixed: `Federated: !Ref ClusterOidcProvider`.
    pub struct OidcProviderArnDoubled => ("IRSA041", "oidc-provider-arn-doubled", Severity::Error);
}

impl Rule for OidcProviderArnDoubled {
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
            for s in t.statements() {
                for f in s.principal.iter().flat_map(|p| p.federated()) {
                    let Some((_, path)) = f.value.split_once(":oidc-provider/") else {
                        continue;
                    };
                    if !path.starts_with("arn:") {
                        continue;
                    }
                    out.push(
                        policy_finding(
                            &Self::META,
                            p,
                            f.span,
                            format!("the Federated provider `{}` has an ARN where the issuer belongs: a `Ref` of an AWS::IAM::OIDCProvider is already its ARN", f.value),
                        )
                        .help("use the provider's ARN alone (`Federated: !Ref Provider`, or `!GetAtt Provider.Arn`)"),
                    );
                }
            }
        }
    }
}
