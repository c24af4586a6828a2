//! terraform-aws-modules `eks-pod-identity` (1.x/2.x), modeled from v2.8.1
//! (`../shared/reference/terraform-modules/eks-pod-identity-v2.8.1/main.tf`): the trust it
//! renders (one statement: `pods.eks.amazonaws.com` may `sts:AssumeRole` and `sts:TagSession`,
//! with `trust_policy_conditions`), and one `aws_eks_pod_identity_association` per
//! `associations` entry (each field from the entry, else `association_defaults`), whose role is
//! the module's own. `trust_policy_statements` and the addon policies are not modeled.

use hcl_edit::structure::Block;

use super::eval::Eval;
use super::tam::input;
use super::trust::obj;
use super::value::{FileId, Kind, Value};
use crate::syntax::yaml::{Node, Span};

/// Whether a module source (without `//sub` and `?ref=`) is this module.
pub fn is_source(repo: &str) -> bool {
    repo == "terraform-aws-modules/eks-pod-identity/aws"
        || repo.ends_with("terraform-aws-modules/terraform-aws-eks-pod-identity.git")
        || repo.ends_with("terraform-aws-modules/terraform-aws-eks-pod-identity")
}

/// The module's trust statement.
pub fn statements(ev: &Eval, block: &Block, f: FileId, span: Span) -> Vec<Value> {
    let list = |items: Vec<Value>| Value::new(Kind::List(items), span, f);
    let mut conditions: Vec<(Value, Value)> = Vec::new();
    let written = input(ev, block, f, "trust_policy_conditions");
    for c in written
        .as_ref()
        .and_then(Value::as_list)
        .unwrap_or_default()
    {
        let (Some(test), Some(variable), Some(values)) =
            (c.get("test"), c.get("variable"), c.get("values"))
        else {
            continue;
        };
        let entry = (variable.clone(), values.clone());
        match conditions
            .iter_mut()
            .find(|(t, _)| t.as_str().is_some() && t.as_str() == test.as_str())
        {
            Some((
                _,
                Value {
                    kind: Kind::Map(keys),
                    ..
                },
            )) => keys.push(entry),
            _ => conditions.push((test.clone(), Value::new(Kind::Map(vec![entry]), c.span, f))),
        }
    }
    let mut statement = vec![
        ("Effect", span, Value::str("Allow", span, f)),
        (
            "Action",
            span,
            list(vec![
                Value::str("sts:AssumeRole", span, f),
                Value::str("sts:TagSession", span, f),
            ]),
        ),
        (
            "Principal",
            span,
            obj(
                vec![(
                    "Service",
                    span,
                    list(vec![Value::str("pods.eks.amazonaws.com", span, f)]),
                )],
                span,
                f,
            ),
        ),
    ];
    if !conditions.is_empty() {
        let at = written.as_ref().map_or(span, |w| w.span);
        statement.push(("Condition", at, Value::new(Kind::Map(conditions), at, f)));
    }
    vec![obj(statement, span, f)]
}

/// The associations the module creates, in the ACK shape; `role_arn` is the module's role.
pub fn associations(
    ev: &Eval,
    block: &Block,
    f: FileId,
    address: &str,
    role_arn: &Value,
) -> Vec<Node> {
    let defaults = input(ev, block, f, "association_defaults");
    let Some(all) = input(ev, block, f, "associations") else {
        return Vec::new();
    };
    let entries: Vec<(String, Value)> = all
        .as_map()
        .unwrap_or_default()
        .iter()
        .filter_map(|(k, v)| Some((k.as_str()?.to_string(), v.clone())))
        .collect();
    entries
        .iter()
        .map(|(key, entry)| {
            let field = |name: &str| -> Option<Value> {
                // `role_arn = aws_iam_role.this[0].arn`: always the module's role.
                if name == "role_arn" {
                    return Some(role_arn.clone());
                }
                entry
                    .get(name)
                    .filter(|v| v.as_str().is_some_and(|s| !s.is_empty()))
                    .or_else(|| defaults.as_ref()?.get(name))
                    .cloned()
            };
            let address = format!("{address}.aws_eks_pod_identity_association.this[\"{key}\"]");
            super::sa::pod_identity_cr(&address, &field, entry.span, f)
        })
        .collect()
}
