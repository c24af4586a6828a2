//! aws-ia `eks-blueprints-addon` (1.x), modeled from v1.1.1
//! (`../shared/reference/terraform-modules/eks-blueprints-addon-v1.1.1/main.tf`; 1.0.0–1.1.1
//! render the same trust and release). The module makes, under `create` (default true):
//!
//! - with `create_role` (default **false**) an IAM role named `coalesce(role_name, name)`, as a
//!   prefix unless `role_name_use_prefix = false` (so by default its name is known only after
//!   apply, and it pairs by the module's address), at `role_path` (`/`). Its trust
//!   (`data "aws_iam_policy_document" "assume"`) has one statement per `oidc_providers` entry:
//!   the entry's `provider_arn` may `sts:AssumeRoleWithWebIdentity` with
//!   `assume_role_condition_test` (`StringEquals`) on `<host>:sub` =
//!   `system:serviceaccount:<entry's namespace, else the release namespace>:<service_account>`
//!   and `<host>:aud` = `sts.amazonaws.com`; and with `allow_self_assume_role` a first statement
//!   letting the role assume itself (`ArnLike aws:PrincipalArn`, whose account is known only
//!   after apply, so the trust check leaves it out as it does any such statement);
//! - with `create_release` (default true) a `helm_release` (`tam_blueprints_release`) named `coalesce(name, chart)` in
//!   `coalesce(namespace, "default")`, `chart`, `repository`, `chart_version`, `values`, one `set`
//!   per `set` entry, and then, when the role is created, one `set` per `set_irsa_names` key whose
//!   value is the role's ARN.
//!
//! `role_policies` and the module's permissions policy say nothing about who may assume the role
//! and are not read; `set_sensitive` is not read (as for `helm_release`). `trust_policy_statements`
//! is in no 1.x release (only on the repository's default branch): a call that sets it is said to
//! be unchecked, not guessed.

use hcl_edit::structure::Block;

use super::computed::{role_arn, role_key};
use super::eval::{iter_pairs, Eval};
use super::lower::{push_trust, Lowered, Note};
use super::tam::{
    host_of, input, key, major_of, split_source, web_identity_statement, ModeledRole, MODELED,
};
use super::trust::obj;
use super::value::{marker, FileId, Kind, Value};
use crate::diagnostics::finding::ObjectRef;
use crate::syntax::yaml::Span;

/// Whether a call's `source` (registry or git) and `version` constraint (or `?ref=`) select this
/// model: `None` for another module, `Some(Err)` for a major version that is not modeled.
pub fn selects(source: &str, version: Option<&str>) -> Option<Result<(), String>> {
    let (repo, sub, git_ref) = split_source(source);
    let this = repo == "aws-ia/eks-blueprints-addon/aws"
        || repo.ends_with("aws-ia/terraform-aws-eks-blueprints-addon.git")
        || repo.ends_with("aws-ia/terraform-aws-eks-blueprints-addon");
    if !this || !sub.is_empty() {
        return None;
    }
    Some(match version.or(git_ref.as_deref()).and_then(major_of) {
        Some(1) | None => Ok(()),
        Some(m) => Err(format!(
            "eks-blueprints-addon {m}.x is not modeled (modeled: {MODELED})"
        )),
    })
}

/// The call's `source` and `version`, evaluated.
fn source_of(ev: &Eval, block: &Block, f: FileId) -> Option<(String, Option<String>)> {
    let source = input(ev, block, f, "source")?.as_str()?.to_string();
    let version = input(ev, block, f, "version").and_then(|v| v.as_str().map(str::to_string));
    Some((source, version))
}

/// The outputs that name the role: `iam_role_arn`, `iam_role_name`.
pub fn output(ev: &Eval, block: &Block, f: FileId, address: &str, out: &str) -> Option<Value> {
    let (source, version) = source_of(ev, block, f)?;
    selects(&source, version.as_deref())?.ok()?;
    let role = role(ev, block, f, address)?;
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

/// The namespace the module's `local.namespace` defaults to.
pub(super) const DEFAULT_NAMESPACE: &str = "default";

pub(super) fn flag(
    ev: &Eval,
    block: &Block,
    f: FileId,
    name: &str,
    default: bool,
) -> Result<bool, String> {
    match input(ev, block, f, name) {
        None => Ok(default),
        // An explicit `null` is the variable's value, not its default (and an error here).
        Some(v) => v
            .as_bool()
            .ok_or_else(|| format!("`{name}` (`{}`) is not a bool known offline", v.describe())),
    }
}

/// `coalesce(a, b)` over optional inputs: the first that is neither null nor `""`; an unknown
/// stops the search (it may be empty). `None` when all are empty.
pub(super) fn coalesce(values: &[Option<Value>]) -> Option<Value> {
    values.iter().flatten().find_map(|v| match &v.kind {
        Kind::Null => None,
        Kind::Str { text, .. } if text.is_empty() => None,
        _ => Some(v.clone()),
    })
}

/// The role's pairing key and path: its name when `role_name_use_prefix = false` and the name is
/// known, else the module's address.
pub(super) fn identity(
    ev: &Eval,
    block: &Block,
    f: FileId,
    address: &str,
) -> (String, Option<String>) {
    let name = coalesce(&[
        input(ev, block, f, "role_name"),
        input(ev, block, f, "name"),
    ]);
    let exact = flag(ev, block, f, "role_name_use_prefix", true) == Ok(false);
    let name = name
        .filter(|_| exact)
        .and_then(|n| n.as_str().map(str::to_string));
    let path = input(ev, block, f, "role_path")
        .filter(|p| !p.is_null())
        .map_or(Some("/".to_string()), |p| p.as_str().map(str::to_string));
    (role_key(name.as_deref(), address), path)
}

/// The role the module creates (None when `create`/`create_role` is false or not known), for
/// its `iam_role_arn`/`iam_role_name` outputs. An unknown trust is an unknown `doc`.
pub fn role(ev: &Eval, block: &Block, f: FileId, address: &str) -> Option<ModeledRole> {
    let creates = flag(ev, block, f, "create", true).ok()?
        && flag(ev, block, f, "create_role", false).ok()?;
    if !creates {
        return None;
    }
    let (key, path) = identity(ev, block, f, address);
    let span = ev.span(f, block);
    let doc = trust(ev, block, f, span).unwrap_or_else(|why| Value::unknown(why, span, f));
    Some(ModeledRole { key, path, doc })
}

/// The document `data "aws_iam_policy_document" "assume"` renders; `Err` names what is unknown.
fn trust(ev: &Eval, block: &Block, f: FileId, span: Span) -> Result<Value, String> {
    let mut statements = Vec::new();
    // Always about the account known only at apply time: left out by the trust check either way.
    if flag(ev, block, f, "allow_self_assume_role", false) == Ok(true) {
        statements.push(self_assume(ev, block, f, span));
    }
    let test = input(ev, block, f, "assume_role_condition_test")
        .filter(|t| !t.is_null())
        .unwrap_or_else(|| Value::str("StringEquals", span, f));
    let providers = input(ev, block, f, "oidc_providers");
    let entries = match &providers {
        None => Vec::new(),
        Some(p) => iter_pairs(p).ok_or_else(|| p.describe())?,
    };
    let release_ns = coalesce(&[input(ev, block, f, "namespace")])
        .unwrap_or_else(|| Value::str(DEFAULT_NAMESPACE, span, f));
    for (_, p) in entries {
        // `provider_arn` and `service_account` are required attributes of each entry.
        let Some(arn) = p.get("provider_arn").cloned() else {
            continue;
        };
        let sa = p.get("service_account").cloned().unwrap_or_else(|| {
            Value::unknown(
                "an `oidc_providers` entry without `service_account`",
                p.span,
                f,
            )
        });
        // `try(statement.value.namespace, local.namespace)`: an entry's own namespace wins.
        let ns = p
            .get("namespace")
            .cloned()
            .unwrap_or_else(|| release_ns.clone());
        let subject = template(
            &[
                Value::str("system:serviceaccount:", sa.span, f),
                ns,
                Value::str(":", sa.span, f),
                sa.clone(),
            ],
            sa.span,
            f,
        );
        let host = host_of(&arn);
        let one = |v: Value, at: Span| Value::new(Kind::List(vec![v]), at, f);
        let keys = vec![
            (key(&host, ":sub", sa.span, f), one(subject, sa.span)),
            (
                key(&host, ":aud", arn.span, f),
                one(Value::str("sts.amazonaws.com", arn.span, f), arn.span),
            ),
        ];
        let cond = Value::new(
            Kind::Map(vec![(test.clone(), Value::new(Kind::Map(keys), p.span, f))]),
            p.span,
            f,
        );
        statements.push(web_identity_statement(vec![arn], cond, p.span, f, false));
    }
    Ok(obj(
        vec![
            ("Version", span, Value::str("2012-10-17", span, f)),
            (
                "Statement",
                span,
                Value::new(Kind::List(statements), span, f),
            ),
        ],
        span,
        f,
    ))
}

/// `ExplicitSelfRoleAssumption`: `AWS: *` may `sts:AssumeRole` when `aws:PrincipalArn` is
/// `arn:<partition>:iam::<account>:role<role_path><role name>` (`<name>-*` with a prefix).
fn self_assume(ev: &Eval, block: &Block, f: FileId, span: Span) -> Value {
    let at = input(ev, block, f, "allow_self_assume_role").map_or(span, |v| v.span);
    let name = coalesce(&[
        input(ev, block, f, "role_name"),
        input(ev, block, f, "name"),
    ])
    .unwrap_or_else(|| Value::str("", at, f));
    let prefix = flag(ev, block, f, "role_name_use_prefix", true);
    let condition_name = match prefix {
        Ok(true) => template(&[name, Value::str("-*", at, f)], at, f),
        Ok(false) => name,
        Err(_) => Value::unknown("var.role_name_use_prefix", at, f),
    };
    let path = input(ev, block, f, "role_path")
        .filter(|p| !p.is_null())
        .unwrap_or_else(|| Value::str("/", at, f));
    let principal_arn = template(
        &[
            Value::str("arn:", at, f),
            Value::unknown("data.aws_partition.current[0].partition", at, f),
            Value::str(":iam::", at, f),
            Value::unknown("data.aws_caller_identity.current[0].account_id", at, f),
            Value::str(":role", at, f),
            path,
            condition_name,
        ],
        at,
        f,
    );
    let list = |items: Vec<Value>| Value::new(Kind::List(items), at, f);
    let condition = Value::new(
        Kind::Map(vec![(
            Value::str("ArnLike", at, f),
            Value::new(
                Kind::Map(vec![(
                    Value::str("aws:PrincipalArn", at, f),
                    list(vec![principal_arn]),
                )]),
                at,
                f,
            ),
        )]),
        at,
        f,
    );
    obj(
        vec![
            ("Sid", at, Value::str("ExplicitSelfRoleAssumption", at, f)),
            ("Effect", at, Value::str("Allow", at, f)),
            (
                "Action",
                at,
                list(vec![Value::str("sts:AssumeRole", at, f)]),
            ),
            (
                "Principal",
                at,
                obj(vec![("AWS", at, list(vec![Value::str("*", at, f)]))], at, f),
            ),
            ("Condition", at, condition),
        ],
        at,
        f,
    )
}

/// A template's result: the parts' texts joined, an unknown part kept as its marker.
fn template(parts: &[Value], span: Span, f: FileId) -> Value {
    let mut text = String::new();
    let mut partial = false;
    for p in parts {
        match (&p.kind, p.to_text()) {
            (Kind::Str { partial: true, .. }, Some(t)) => {
                partial = true;
                text.push_str(&t);
            }
            (_, Some(t)) => text.push_str(&t),
            (_, None) => {
                partial = true;
                text.push_str(&marker(&p.describe()));
            }
        }
    }
    Value::new(Kind::Str { text, partial }, span, f)
}

/// Lower one call of the module: its role's trust and its release, or notes saying why not.
pub fn lower(ev: &Eval, block: &Block, f: FileId, address: &str, out: &mut Lowered) {
    let span = ev.span(f, block);
    let note = |out: &mut Lowered, message: String| {
        out.notes.push(Note {
            file: f,
            span,
            message,
        })
    };
    let create = match flag(ev, block, f, "create", true) {
        Ok(c) => c,
        Err(why) => return note(out, format!("`{address}` is not checked: {why}")),
    };
    if !create {
        return;
    }
    let create_role = flag(ev, block, f, "create_role", false);
    match &create_role {
        Err(why) => note(
            out,
            format!("the role of `{address}` is not checked: {why}"),
        ),
        Ok(false) => {}
        Ok(true) => lower_role(ev, block, f, address, out),
    }
    match flag(ev, block, f, "create_release", true) {
        Err(why) => note(
            out,
            format!("the release of `{address}` is not checked: {why}"),
        ),
        Ok(false) => {}
        Ok(true) => {
            match super::tam_blueprints_release::release(ev, block, f, address, create_role) {
                Ok(r) => out.releases.push(r),
                Err(why) => note(
                    out,
                    format!("`{address}.helm_release.this[0]` is not checked: {why}"),
                ),
            }
        }
    }
}

fn lower_role(ev: &Eval, block: &Block, f: FileId, address: &str, out: &mut Lowered) {
    let file = ev.files.get(f);
    let span = ev.span(f, block);
    let Some(role) = role(ev, block, f, address) else {
        return;
    };
    let object = ObjectRef::new("module", None, address);
    if let Some(a) = block.body.get_attribute("trust_policy_statements") {
        out.notes.push(Note {
            file: f,
            span: ev.span(f, &a.key),
            message: format!(
                "`trust_policy_statements` is in no eks-blueprints-addon 1.x release (modeled: 1.0.0–1.1.1); the trust of role `{}` is not checked",
                role.key
            ),
        });
        return;
    }
    let node = (!role.doc.is_unknown()).then(|| role.doc.to_node());
    let what = role.doc.describe();
    push_trust(ev, &file, f, node, role.key, object, span, &what, out);
}
