//! Pairs from the trust side: the service accounts a role of the run names in its trust (an
//! exact `…:sub` of `system:serviceaccount:<namespace>:<name>`), and what each of them uses
//! (its role annotation, or a Pod Identity association) where the run creates it.

use crate::facts::{PolicyInput, SaOrigin, ServiceAccount, Workspace};
use crate::model::arn::{
    is_stand_in_role_name, parse_role_arn, parse_templated, ArnKind, TemplatedArn,
};
use crate::model::policy::{BaseOp, Effect, Spanned};
use crate::model::trust;

/// A service account that a role of the run trusts by name.
pub struct TrustedAccount<'a> {
    pub policy: &'a PolicyInput,
    /// The trusting role (`PolicyInput::role_name`).
    pub role: &'a str,
    pub namespace: String,
    pub name: String,
    /// The `:sub` value that names it.
    pub value: &'a Spanned<String>,
}

/// What a service account of the run uses to get AWS credentials.
#[derive(Debug, Clone, PartialEq)]
pub enum RoleUse {
    /// A role whose name is known (`eks.amazonaws.com/role-arn`, a Pod Identity association).
    Role(String),
    /// A role the run cannot name: set at deploy time, made by eksctl, an empty or invalid value.
    Unknown,
    /// No role: no annotation and no association.
    None,
}

impl Workspace {
    /// Every `(role, namespace/name)` that a role trust of the run names exactly, in order.
    pub fn trusted_accounts(&self) -> Vec<TrustedAccount<'_>> {
        let mut out = Vec::new();
        for t in self.eks_trusts() {
            let Some(role) = t.policy.role_name.as_deref() else {
                continue;
            };
            let statements = t.statements().filter(|s| {
                s.effect.value == Effect::Allow && s.allows_action(trust::WEB_IDENTITY_ACTION)
            });
            for c in statements.flat_map(|s| &s.conditions) {
                let exact =
                    matches!(c.operator.base, BaseOp::StringEquals) && !c.operator.if_exists;
                if !exact || !c.key.to_ascii_lowercase().ends_with(":sub") {
                    continue;
                }
                for v in &c.values {
                    if v.value.contains("${") || v.value.contains(['*', '?']) {
                        continue;
                    }
                    if let Some((ns, name)) = trust::parse_subject(&v.value) {
                        out.push(TrustedAccount {
                            policy: t.policy,
                            role,
                            namespace: ns.to_string(),
                            name: name.to_string(),
                            value: v,
                        });
                    }
                }
            }
        }
        out
    }

    /// The service accounts of the run named `namespace/name` (where each lands).
    pub fn accounts_landing(&self, namespace: &str, name: &str) -> Vec<&ServiceAccount> {
        (self.service_accounts.iter())
            .filter(|s| s.object.name == name && landed_namespace(s) == namespace)
            .collect()
    }
}

/// The namespace a service account lands in: as written, else its release's, else `default`.
pub fn landed_namespace(s: &ServiceAccount) -> &str {
    match (&s.object.namespace, &s.object.chart) {
        (Some(n), _) => n.as_str(),
        (None, Some(ctx)) => ctx.namespace.as_str(),
        (None, None) => "default",
    }
}

/// What the service account's own annotation says.
pub fn annotation_use(sa: &ServiceAccount) -> RoleUse {
    match (&sa.role_arn, sa.role_arn_value()) {
        (Some(_), Some(v)) => arn_use(v),
        (Some(_), None) => RoleUse::Unknown,
        (None, _) if sa.origin == SaOrigin::Eksctl => RoleUse::Unknown,
        (None, _) => RoleUse::None,
    }
}

/// The role a role ARN value names, when it is wholly known. A value with any part set at
/// deploy time (`arn:aws:iam::${ACCOUNT_ID}:role/app`) is a template the deploy may still patch
/// (a Flux `postBuild` substitution often comes with `spec.patches`): not compared.
pub fn arn_use(value: &str) -> RoleUse {
    match parse_templated(value.trim(), parse_role_arn) {
        Ok(TemplatedArn::Known(arn)) => match arn.kind {
            ArnKind::Role { name, .. } => RoleUse::Role(name),
            _ => RoleUse::Unknown,
        },
        _ => RoleUse::Unknown,
    }
}

/// Whether two role names are one role: equal, or stand-ins of one Terraform resource
/// (`module.m.aws_iam_role.this` and its instance `module.m.aws_iam_role.this.0`).
pub fn same_role(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    let base = |n: &str| -> Option<String> {
        is_stand_in_role_name(n).then_some(())?;
        let i = n.find("aws_iam_role.")? + "aws_iam_role.".len();
        let name = n[i..].split('.').next()?;
        Some(format!("{}{name}", &n[..i]))
    };
    matches!((base(a), base(b)), (Some(x), Some(y)) if x == y)
}

#[cfg(test)]
mod tests {
    use super::{arn_use, same_role, RoleUse};

    #[test]
    fn stand_ins_of_one_resource_are_one_role() {
        assert!(same_role("app", "app"));
        assert!(same_role(
            "module.team.aws_iam_role.this.0",
            "module.team.aws_iam_role.this"
        ));
        assert!(!same_role(
            "module.team.aws_iam_role.this",
            "module.red.aws_iam_role.this"
        ));
        assert!(!same_role("aws_iam_role.a", "aws_iam_role.ab"));
        assert!(!same_role("app", "app2"));
    }

    #[test]
    fn only_wholly_known_arns_name_a_role() {
        let known = arn_use("arn:aws:iam::111122223333:role/app");
        assert_eq!(known, RoleUse::Role("app".into()));
        assert_eq!(
            arn_use("arn:aws:iam::${ACCOUNT_ID}:role/app"),
            RoleUse::Unknown
        );
        assert_eq!(arn_use("${ROLE_ARN}"), RoleUse::Unknown);
    }
}
