//! terraform-aws-modules/eks `modules/karpenter`, modeled from v20.37.2 and v21.15.1
//! (`modules/karpenter/main.tf` and `variables.tf`). Under `create` and `create_iam_role`
//! (both default true) it makes the controller role, named `iam_role_name`
//! (`KarpenterController`, a prefix unless `iam_role_use_name_prefix = false`) at
//! `iam_role_path` (`/`), and:
//!
//! - v20: a Pod Identity statement (`pods.eks.amazonaws.com` may `sts:AssumeRole` and
//!   `sts:TagSession`) when `enable_pod_identity` (default true), and an IRSA statement when
//!   `enable_irsa` (default false): `irsa_oidc_provider_arn` may `sts:AssumeRoleWithWebIdentity`
//!   with `irsa_assume_role_condition_test` (`StringEquals`) on `<host>:sub` =
//!   `system:serviceaccount:<each irsa_namespace_service_accounts entry>` (default
//!   `["karpenter:karpenter"]`) and `<host>:aud` = `sts.amazonaws.com`; an association when
//!   `enable_pod_identity` and `create_pod_identity_association` (default **false**);
//! - v21: the Pod Identity statement only (IRSA was removed), plus
//!   `iam_role_source_assume_policy_documents`/`..._override_...` (then the trust is said to be
//!   unchecked); an association when `create_pod_identity_association` (default **true**).
//!
//! The association is `cluster_name`, `namespace` (`kube-system`), `service_account`
//! (`karpenter`) and the controller role. Outputs `iam_role_arn`, `iam_role_name`.

use hcl_edit::structure::Block;

use super::computed::{role_arn, role_key};
use super::eval::Eval;
use super::lower::{push_trust, Lowered, Note};
use super::tam::{
    host_of, input, key, major_of, split_source, web_identity_statement, ModeledRole,
};
use super::trust::obj;
use super::value::{FileId, Kind, Value};
use crate::diagnostics::finding::ObjectRef;
use crate::frontends::manifest::classify_node;
use crate::syntax::yaml::Span;

/// Whether a call selects this module: `Some(Ok(major))`, `Some(Err)` for another major.
pub fn selects(source: &str, version: Option<&str>) -> Option<Result<u32, String>> {
    let (repo, sub, git_ref) = split_source(source);
    let eks = repo == "terraform-aws-modules/eks/aws"
        || repo.ends_with("terraform-aws-modules/terraform-aws-eks.git")
        || repo.ends_with("terraform-aws-modules/terraform-aws-eks");
    if !eks || sub != "modules/karpenter" {
        return None;
    }
    Some(match version.or(git_ref.as_deref()).and_then(major_of) {
        Some(m @ (20 | 21)) => Ok(m),
        None => Ok(21),
        Some(m) => Err(format!(
            "eks `modules/karpenter` {m}.x is not modeled (modeled: 20.x, 21.x)"
        )),
    })
}

fn flag(ev: &Eval, block: &Block, f: FileId, name: &str, default: bool) -> Result<bool, String> {
    super::tam_blueprints::flag(ev, block, f, name, default)
}

/// The controller role (None when it is not created or that is not known).
pub fn role(ev: &Eval, block: &Block, f: FileId, major: u32, address: &str) -> Option<ModeledRole> {
    if !(flag(ev, block, f, "create", true).ok()?
        && flag(ev, block, f, "create_iam_role", true).ok()?)
    {
        return None;
    }
    let exact = flag(ev, block, f, "iam_role_use_name_prefix", true) == Ok(false);
    let name = input(ev, block, f, "iam_role_name")
        .map_or(Some("KarpenterController".to_string()), |n| {
            n.as_str().map(str::to_string)
        })
        .filter(|_| exact);
    let path = input(ev, block, f, "iam_role_path")
        .map_or(Some("/".to_string()), |p| p.as_str().map(str::to_string));
    let span = ev.span(f, block);
    let mut statements = Vec::new();
    let pod_identity = major >= 21 || flag(ev, block, f, "enable_pod_identity", true) == Ok(true);
    if pod_identity {
        statements.push(pod_identity_statement(span, f));
    }
    if major == 20 && flag(ev, block, f, "enable_irsa", false) == Ok(true) {
        statements.extend(irsa_statement(ev, block, f, span));
    }
    let list = Value::new(Kind::List(statements), span, f);
    let doc = obj(
        vec![
            ("Version", span, Value::str("2012-10-17", span, f)),
            ("Statement", span, list),
        ],
        span,
        f,
    );
    Some(ModeledRole {
        key: role_key(name.as_deref(), address),
        path,
        doc,
    })
}

fn pod_identity_statement(span: Span, f: FileId) -> Value {
    let list = |items: &[&str]| {
        Value::new(
            Kind::List(items.iter().map(|i| Value::str(*i, span, f)).collect()),
            span,
            f,
        )
    };
    obj(
        vec![
            ("Sid", span, Value::str("PodIdentity", span, f)),
            ("Effect", span, Value::str("Allow", span, f)),
            ("Action", span, list(&["sts:AssumeRole", "sts:TagSession"])),
            (
                "Principal",
                span,
                obj(
                    vec![("Service", span, list(&["pods.eks.amazonaws.com"]))],
                    span,
                    f,
                ),
            ),
        ],
        span,
        f,
    )
}

fn irsa_statement(ev: &Eval, block: &Block, f: FileId, span: Span) -> Option<Value> {
    let arn = input(ev, block, f, "irsa_oidc_provider_arn")?;
    let test = input(ev, block, f, "irsa_assume_role_condition_test")
        .unwrap_or_else(|| Value::str("StringEquals", span, f));
    let sas = input(ev, block, f, "irsa_namespace_service_accounts").unwrap_or_else(|| {
        Value::new(
            Kind::List(vec![Value::str("karpenter:karpenter", span, f)]),
            span,
            f,
        )
    });
    let subjects: Vec<Value> = match sas.as_list() {
        Some(l) => l
            .iter()
            .map(|sa| super::tam::prefixed("system:serviceaccount:", sa))
            .collect(),
        None => vec![super::tam::prefixed("system:serviceaccount:", &sas)],
    };
    let host = host_of(&arn);
    let keys = vec![
        (
            key(&host, ":sub", sas.span, f),
            Value::new(Kind::List(subjects), sas.span, f),
        ),
        (
            key(&host, ":aud", arn.span, f),
            Value::new(
                Kind::List(vec![Value::str("sts.amazonaws.com", arn.span, f)]),
                arn.span,
                f,
            ),
        ),
    ];
    let cond = Value::new(
        Kind::Map(vec![(test, Value::new(Kind::Map(keys), span, f))]),
        span,
        f,
    );
    Some(web_identity_statement(vec![arn], cond, span, f, false))
}

/// The outputs that name the role.
pub fn output(
    ev: &Eval,
    block: &Block,
    f: FileId,
    major: u32,
    address: &str,
    out: &str,
) -> Option<Value> {
    let role = role(ev, block, f, major, address)?;
    let span = ev.span(f, block);
    match out {
        "iam_role_arn" => Some(Value::str(
            role_arn(&role.key, role.path.as_deref()),
            span,
            f,
        )),
        "iam_role_name" => Some(Value::str(role.key, span, f)),
        _ => None,
    }
}

/// Lower one call: the controller role's trust and its association.
pub fn lower(ev: &Eval, block: &Block, f: FileId, major: u32, address: &str, out: &mut Lowered) {
    let span = ev.span(f, block);
    for k in ["create", "create_iam_role"] {
        if let Err(why) = flag(ev, block, f, k, true) {
            let message = format!("the controller role of `{address}` is not checked: {why}");
            return out.notes.push(Note {
                file: f,
                span,
                message,
            });
        }
    }
    let Some(role) = role(ev, block, f, major, address) else {
        return;
    };
    let file = ev.files.get(f);
    let association = if major >= 21 {
        flag(ev, block, f, "create_pod_identity_association", true)
    } else {
        let enabled = flag(ev, block, f, "enable_pod_identity", true);
        flag(ev, block, f, "create_pod_identity_association", false).and_then(|c| Ok(c && enabled?))
    };
    match association {
        Ok(true) => {
            let arn = Value::str(role_arn(&role.key, role.path.as_deref()), span, f);
            let field = |k: &str| -> Option<Value> {
                match k {
                    "role_arn" => Some(arn.clone()),
                    "namespace" => Some(
                        input(ev, block, f, k)
                            .unwrap_or_else(|| Value::str("kube-system", span, f)),
                    ),
                    "service_account" => Some(
                        input(ev, block, f, k).unwrap_or_else(|| Value::str("karpenter", span, f)),
                    ),
                    _ => input(ev, block, f, k),
                }
            };
            let address = format!("{address}.aws_eks_pod_identity_association.karpenter[0]");
            let node = super::sa::pod_identity_cr(&address, &field, span, f);
            classify_node(&file, &node, None, &mut out.classified);
        }
        Ok(false) => {}
        Err(why) => out.notes.push(Note {
            file: f,
            span,
            message: format!("the Pod Identity association of `{address}` is not checked: {why}"),
        }),
    }
    let custom = [
        "iam_role_source_assume_policy_documents",
        "iam_role_override_assume_policy_documents",
    ]
    .into_iter()
    .find(|k| input(ev, block, f, k).is_some_and(|v| !v.is_null()));
    if let Some(k) = custom.filter(|_| major >= 21) {
        let message = format!(
            "the trust of role `{}` is not checked: `{k}` is not modeled",
            role.key
        );
        return out.notes.push(Note {
            file: f,
            span,
            message,
        });
    }
    let object = ObjectRef::new("module", None, address);
    push_trust(
        ev,
        &file,
        f,
        Some(role.doc.to_node()),
        role.key,
        object,
        span,
        address,
        out,
    );
}
