//! terraform-aws-modules IAM modules, modeled from their source at pinned versions
//! (`iam-assumable-role-with-oidc` v4/v5, `iam-role-for-service-accounts-eks` v5,
//! `iam-role-for-service-accounts` v6): the trust each renders from its inputs, and the
//! outputs that name the role. Other registry or git sources are opaque and never fetched.

use hcl_edit::structure::Block;

use super::computed::{role_arn, role_key};
use super::eval::Eval;
use super::trust::{encoded, obj};
use super::value::{FileId, Kind, Value};
use crate::syntax::yaml::Span;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Model {
    /// `iam-assumable-role-with-oidc`, v3, v4 or v5 (v4 adds `oidc_fully_qualified_audiences`,
    /// v5 `sts:TagSession`).
    AssumableRoleWithOidc { major: u32 },
    /// `iam-role-for-service-accounts-eks` (v5).
    IrsaV5,
    /// `iam-role-for-service-accounts` (v6).
    IrsaV6,
    /// `iam-role` (v6): see `tam_iam_role`.
    IamRoleV6,
    /// `terraform-aws-modules/eks-pod-identity` (v1, v2): see `tam_pod_identity`.
    PodIdentity,
}

/// The versions this file models, for docs and notes.
pub const MODELED: &str = "terraform-aws-modules/iam `iam-assumable-role-with-oidc` 3.x/4.x/5.x, `iam-role-for-service-accounts-eks` 5.x, `iam-role-for-service-accounts` 6.x, `iam-role` 6.x; terraform-aws-modules/eks-pod-identity 1.x/2.x; terraform-aws-modules/eks `addons` and `modules/karpenter` 20.x/21.x; aws-ia/eks-blueprints-addon 1.x and eks-blueprints-addons 1.x";

/// Which model a module's `source` and `version` constraint select; `Err` says why none does.
pub fn model_of(source: &str, version: Option<&str>) -> Result<Model, String> {
    let (repo, sub, git_ref) = split_source(source);
    if super::tam_pod_identity::is_source(&repo) {
        return match version.or(git_ref.as_deref()).and_then(major_of) {
            Some(1 | 2) | None => Ok(Model::PodIdentity),
            Some(m) => Err(format!(
                "eks-pod-identity {m}.x is not modeled (modeled: {MODELED})"
            )),
        };
    }
    let is_iam = repo == "terraform-aws-modules/iam/aws"
        || repo.ends_with("terraform-aws-modules/terraform-aws-iam.git")
        || repo.ends_with("terraform-aws-modules/terraform-aws-iam");
    if !is_iam {
        return Err(format!("module source `{source}` is not modeled"));
    }
    let major = version.or(git_ref.as_deref()).and_then(major_of);
    let model = match (sub.as_str(), major) {
        ("modules/iam-assumable-role-with-oidc", Some(m @ (3..=5))) => {
            Model::AssumableRoleWithOidc { major: m }
        }
        ("modules/iam-role-for-service-accounts-eks", Some(5)) => Model::IrsaV5,
        ("modules/iam-role-for-service-accounts", Some(6)) => Model::IrsaV6,
        ("modules/iam-role-for-service-accounts-eks", None) => Model::IrsaV5,
        ("modules/iam-role-for-service-accounts", None) => Model::IrsaV6,
        ("modules/iam-role", Some(6) | None) => Model::IamRoleV6,
        _ => {
            let v = version.unwrap_or("no version");
            return Err(format!(
                "module `{sub}` at `{v}` is not modeled (modeled: {MODELED})"
            ));
        }
    };
    Ok(model)
}

/// `registry//sub?ref=x` → (`registry`, `sub`, `x`); a `git::` prefix is dropped.
pub(super) fn split_source(source: &str) -> (String, String, Option<String>) {
    let s = source.strip_prefix("git::").unwrap_or(source);
    let (s, git_ref) = match s.split_once("?ref=") {
        Some((a, r)) => (a, Some(r.to_string())),
        None => (s, None),
    };
    let s = s
        .trim_start_matches("https://")
        .trim_start_matches("github.com/");
    let s = s.strip_prefix("github.com/").unwrap_or(s);
    match s.split_once("//") {
        Some((repo, sub)) => (
            repo.to_string(),
            sub.trim_end_matches('/').to_string(),
            git_ref,
        ),
        None => (s.to_string(), String::new(), git_ref),
    }
}

/// The major version a constraint pins (`~> 5.0`, `>= 5.3, < 6.0`, `v6.1.0`, `5.60.0`).
pub fn major_of(constraint: &str) -> Option<u32> {
    // A `?ref=` commit hash names no version.
    let hash = constraint.len() >= 7 && constraint.chars().all(|c| c.is_ascii_hexdigit());
    if hash {
        return None;
    }
    let first = constraint.split(',').next()?;
    let digits: String = first
        .trim_start_matches(|c: char| !c.is_ascii_digit())
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    digits.parse().ok()
}

/// What a modeled module makes: its role's pairing name, path and trust document.
pub struct ModeledRole {
    pub key: String,
    pub path: Option<String>,
    pub doc: Value,
}

pub(super) fn input(ev: &Eval, block: &Block, f: FileId, name: &str) -> Option<Value> {
    block.body.get_attribute(name).map(|a| ev.eval(&a.value, f))
}

fn flag(ev: &Eval, block: &Block, f: FileId, name: &str, default: bool) -> Option<bool> {
    match input(ev, block, f, name) {
        None => Some(default),
        Some(v) => v.as_bool(),
    }
}

/// The role a modeled module creates (None when `create_role`/`create` is false or unknown).
pub fn role(
    ev: &Eval,
    block: &Block,
    f: FileId,
    model: Model,
    address: &str,
) -> Option<ModeledRole> {
    let span = ev.span(f, block);
    let str_in = |k: &str| input(ev, block, f, k).and_then(|v| v.as_str().map(str::to_string));
    let (create, name) = match model {
        Model::AssumableRoleWithOidc { .. } => (
            flag(ev, block, f, "create_role", false)?,
            str_in("role_name"),
        ),
        Model::IrsaV5 => (
            flag(ev, block, f, "create_role", true)?,
            str_in("role_name"),
        ),
        Model::IrsaV6 | Model::IamRoleV6 | Model::PodIdentity => {
            let prefix = flag(ev, block, f, "use_name_prefix", true)?;
            (
                flag(ev, block, f, "create", true)?,
                str_in("name").filter(|_| !prefix),
            )
        }
    };
    if !create {
        return None;
    }
    let path = str_in(
        if matches!(model, Model::IrsaV6 | Model::IamRoleV6 | Model::PodIdentity) {
            "path"
        } else {
            "role_path"
        },
    );
    let statements = match model {
        Model::AssumableRoleWithOidc { major } => oidc_role_statements(ev, block, f, major, span),
        Model::PodIdentity => super::tam_pod_identity::statements(ev, block, f, span),
        Model::IamRoleV6 => super::tam_iam_role::statements(ev, block, f, span),
        Model::IrsaV5 | Model::IrsaV6 => {
            let test_key = if model == Model::IrsaV5 {
                "assume_role_condition_test"
            } else {
                "trust_condition_test"
            };
            irsa_statements(ev, block, f, test_key, span)
        }
    };
    let doc = obj(
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
    );
    Some(ModeledRole {
        key: role_key(name.as_deref(), address),
        path,
        doc,
    })
}

/// v5/v6: one statement per `oidc_providers` entry; `:sub` values from
/// `namespace_service_accounts`, `:aud` = `sts.amazonaws.com`, operator from `test_key`.
fn irsa_statements(ev: &Eval, block: &Block, f: FileId, test_key: &str, span: Span) -> Vec<Value> {
    let test = input(ev, block, f, test_key).unwrap_or_else(|| Value::str("StringEquals", span, f));
    let providers = input(ev, block, f, "oidc_providers");
    let entries: Vec<Value> = match providers.as_ref().map(|p| &p.kind) {
        Some(Kind::Map(m)) => m.iter().map(|(_, v)| v.clone()).collect(),
        Some(Kind::List(l)) => l.clone(),
        _ => Vec::new(),
    };
    let mut out = Vec::new();
    for p in entries {
        let Some(arn) = p.get("provider_arn").cloned() else {
            continue;
        };
        let sas = p.get("namespace_service_accounts").cloned();
        let host = host_of(&arn);
        let sas_span = sas.as_ref().map_or(p.span, |s| s.span);
        let subjects: Vec<Value> = sas
            .as_ref()
            .and_then(Value::as_list)
            .unwrap_or_default()
            .iter()
            .map(|sa| prefixed("system:serviceaccount:", sa))
            .collect();
        let keys = vec![
            (
                key(&host, ":sub", sas_span, f),
                Value::new(Kind::List(subjects), sas_span, f),
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
            Kind::Map(vec![(test.clone(), Value::new(Kind::Map(keys), p.span, f))]),
            p.span,
            f,
        );
        out.push(web_identity_statement(vec![arn], cond, p.span, f, false));
    }
    out
}

/// v4/v5 `iam-assumable-role-with-oidc`: a statement per provider URL; each carries the
/// conditions of every URL (as the module's nested dynamic blocks do).
fn oidc_role_statements(ev: &Eval, block: &Block, f: FileId, major: u32, span: Span) -> Vec<Value> {
    let mut urls: Vec<Value> = input(ev, block, f, "provider_urls")
        .and_then(|v| v.as_list().map(<[Value]>::to_vec))
        .unwrap_or_default();
    urls.extend(input(ev, block, f, "provider_url"));
    let mut seen = Vec::new();
    let urls: Vec<Value> = urls
        .into_iter()
        .filter(|u| u.to_text().is_none_or(|t| !t.is_empty()))
        .map(|u| strip_https(&u))
        .filter(|u| {
            let t = u.describe();
            let new = !seen.contains(&t);
            seen.push(t);
            new
        })
        .collect();
    let list =
        |k: &str| input(ev, block, f, k).filter(|v| v.as_list().is_some_and(|l| !l.is_empty()));
    let account = input(ev, block, f, "aws_account_id")
        .and_then(|v| v.as_str().filter(|s| !s.is_empty()).map(str::to_string));
    let mut out = Vec::new();
    for url in &urls {
        let acct = account
            .clone()
            .unwrap_or_else(|| super::value::marker("data.aws_caller_identity.current.account_id"));
        let fed = prefixed(&format!("arn:aws:iam::{acct}:oidc-provider/"), url);
        let mut ops: Vec<(Value, Value)> = Vec::new();
        for (var, test, claim) in [
            ("oidc_fully_qualified_subjects", "StringEquals", ":sub"),
            ("oidc_subjects_with_wildcards", "StringLike", ":sub"),
            ("oidc_fully_qualified_audiences", "StringLike", ":aud"),
        ] {
            // v3 has no audiences input.
            if major < 4 && claim == ":aud" {
                continue;
            }
            let Some(values) = list(var) else { continue };
            let keys: Vec<(Value, Value)> = urls
                .iter()
                .map(|u| (key(u, claim, values.span, f), values.clone()))
                .collect();
            match ops.iter_mut().find(|(t, _)| t.as_str() == Some(test)) {
                Some((
                    _,
                    Value {
                        kind: Kind::Map(existing),
                        ..
                    },
                )) => existing.extend(keys),
                _ => ops.push((
                    Value::str(test, values.span, f),
                    Value::new(Kind::Map(keys), values.span, f),
                )),
            }
        }
        let cond = Value::new(Kind::Map(ops), span, f);
        out.push(web_identity_statement(
            vec![fed],
            cond,
            url.span,
            f,
            major >= 5,
        ));
    }
    out
}

pub(super) fn web_identity_statement(
    federated: Vec<Value>,
    cond: Value,
    span: Span,
    f: FileId,
    tag_session: bool,
) -> Value {
    let mut actions = vec![Value::str("sts:AssumeRoleWithWebIdentity", span, f)];
    if tag_session {
        actions.push(Value::str("sts:TagSession", span, f));
    }
    let principal = Value::new(
        Kind::Map(vec![(
            Value::str("Federated", span, f),
            Value::new(Kind::List(federated), span, f),
        )]),
        span,
        f,
    );
    let mut entries = vec![
        ("Effect", span, Value::str("Allow", span, f)),
        ("Principal", span, principal),
        ("Action", span, Value::new(Kind::List(actions), span, f)),
    ];
    if cond.as_map().is_some_and(|m| !m.is_empty()) {
        entries.push(("Condition", span, cond));
    }
    obj(entries, span, f)
}

/// `replace(arn, "/^(.*provider/)/", "")`, keeping an unknown symbolic.
pub(super) fn host_of(arn: &Value) -> Value {
    match arn.as_str() {
        Some(s) => Value::str(
            s.split_once("oidc-provider/").map_or(s, |(_, h)| h),
            arn.span,
            arn.file,
        ),
        None => arn.clone(),
    }
}

fn strip_https(url: &Value) -> Value {
    match url.as_str() {
        Some(s) => Value::str(s.replace("https://", ""), url.span, url.file),
        None => url.clone(),
    }
}

/// `prefix` + a value, as a template would make it (an unknown stays `${ref}`).
pub(super) fn prefixed(prefix: &str, v: &Value) -> Value {
    let (text, partial) = match v.to_text() {
        Some(t) => (
            format!("{prefix}{t}"),
            matches!(v.kind, Kind::Str { partial: true, .. }),
        ),
        None => (
            format!("{prefix}{}", super::value::marker(&v.describe())),
            true,
        ),
    };
    Value::new(Kind::Str { text, partial }, v.span, v.file)
}

pub(super) fn key(host: &Value, claim: &str, span: Span, f: FileId) -> Value {
    let (text, partial) = match host.to_text() {
        Some(t) => (
            format!("{t}{claim}"),
            matches!(host.kind, Kind::Str { partial: true, .. }),
        ),
        None => (
            format!("{}{claim}", super::value::marker(&host.describe())),
            true,
        ),
    };
    Value::new(Kind::Str { text, partial }, span, f)
}

/// A modeled module's outputs that name its role (`iam_role_arn`, `arn`, `iam_role_name`, `name`).
pub fn output(ev: &Eval, block: &Block, f: FileId, address: &str, out: &str) -> Option<Value> {
    if let Some(v) = super::tam_blueprints::output(ev, block, f, address, out) {
        return Some(v);
    }
    if let Some(v) = super::tam_modules::output(ev, block, f, address, out) {
        return Some(v);
    }
    let source = input(ev, block, f, "source")?;
    let version = input(ev, block, f, "version");
    let model = model_of(source.as_str()?, version.as_ref().and_then(Value::as_str)).ok()?;
    let role = role(ev, block, f, model, address)?;
    let span = ev.span(f, block);
    let (arn_out, name_out) = match model {
        Model::IrsaV6 | Model::IamRoleV6 => ("arn", "name"),
        _ => ("iam_role_arn", "iam_role_name"),
    };
    if out == arn_out {
        Some(Value::str(
            role_arn(&role.key, role.path.as_deref()),
            span,
            f,
        ))
    } else if out == name_out {
        Some(Value::str(role.key, span, f))
    } else {
        None
    }
}

/// Keep the encoded form available to callers that want a policy string.
pub fn encoded_doc(role: &ModeledRole, span: Span, f: FileId) -> Value {
    encoded(role.doc.clone(), span, f)
}
