//! terraform-aws-modules/iam `modules/iam-role` (6.x), modeled from v6.5.0
//! (`modules/iam-role/main.tf`, `data "aws_iam_policy_document" "this"`; 6.0.0–6.5.0 render the
//! same trust). Its trust has, in this order:
//!
//! - with `enable_oidc` (default false), one statement per `oidc_provider_urls` entry
//!   (`https://` dropped): `Federated` `arn:<partition>:iam::<oidc_account_id, else the
//!   caller's account>:oidc-provider/<url>` may `sts:TagSession` and
//!   `sts:AssumeRoleWithWebIdentity`, with `StringEquals <url>:sub = oidc_subjects`,
//!   `StringLike <url>:sub = oidc_wildcard_subjects`, `StringEquals <url>:aud = oidc_audiences`
//!   (each condition once per URL, only when its list is not empty) and `trust_policy_conditions`;
//! - one statement per `trust_policy_permissions` entry (how Pod Identity is written: `principals
//!   = [{ type = "Service", identifiers = ["pods.eks.amazonaws.com"] }]`), its `condition` list
//!   as written (`trust_policy_conditions` are not added to these);
//! - the GitHub, Bitbucket and SAML statements (`enable_github_oidc`, `enable_bitbucket_oidc`,
//!   `enable_saml`): no Kubernetes service account can use them; they are left out.
//!
//! The role is `name` (a prefix unless `use_name_prefix = false`) at `path`; outputs `arn`, `name`.

use hcl_edit::structure::Block;

use super::eval::{iter_pairs, Eval};
use super::tam::{input, key, web_identity_statement};
use super::trust::obj;
use super::value::{marker, FileId, Kind, Value};
use crate::syntax::yaml::Span;

/// The trust statements the module renders from the call's inputs.
pub fn statements(ev: &Eval, block: &Block, f: FileId, span: Span) -> Vec<Value> {
    let mut out = Vec::new();
    let enabled = input(ev, block, f, "enable_oidc").and_then(|v| v.as_bool()) == Some(true);
    if enabled {
        out.extend(oidc_statements(ev, block, f, span));
    }
    if let Some(perms) = input(ev, block, f, "trust_policy_permissions").filter(|p| !p.is_null()) {
        for (k, s) in iter_pairs(&perms).unwrap_or_default() {
            out.push(generic_statement(&k, &s, f));
        }
    }
    out
}

fn list_of(v: Option<Value>) -> Vec<Value> {
    v.and_then(|v| v.as_list().map(<[Value]>::to_vec))
        .unwrap_or_default()
}

fn oidc_statements(ev: &Eval, block: &Block, f: FileId, span: Span) -> Vec<Value> {
    let urls: Vec<Value> = list_of(input(ev, block, f, "oidc_provider_urls"))
        .into_iter()
        .map(|u| match u.as_str() {
            Some(s) => Value::str(s.replace("https://", ""), u.span, u.file),
            None => u,
        })
        .collect();
    let account = input(ev, block, f, "oidc_account_id")
        .and_then(|v| v.as_str().filter(|s| !s.is_empty()).map(str::to_string))
        .unwrap_or_else(|| marker("data.aws_caller_identity.current[0].account_id"));
    let conditions = written_conditions(input(ev, block, f, "trust_policy_conditions"));
    let mut out = Vec::new();
    for url in &urls {
        let host = url.to_text().unwrap_or_else(|| marker(&url.describe()));
        let partial =
            url.to_text().is_none() || matches!(url.kind, Kind::Str { partial: true, .. });
        let fed = Value::new(
            Kind::Str {
                text: format!("arn:aws:iam::{account}:oidc-provider/{host}"),
                partial,
            },
            url.span,
            f,
        );
        let mut cond: Vec<(Value, Vec<(Value, Value)>)> = Vec::new();
        for (var, test, claim) in [
            ("oidc_subjects", "StringEquals", ":sub"),
            ("oidc_wildcard_subjects", "StringLike", ":sub"),
            ("oidc_audiences", "StringEquals", ":aud"),
        ] {
            let Some(values) =
                input(ev, block, f, var).filter(|v| v.as_list().is_some_and(|l| !l.is_empty()))
            else {
                continue;
            };
            let keys = urls
                .iter()
                .map(|u| (key(u, claim, values.span, f), values.clone()));
            add(&mut cond, Value::str(test, values.span, f), keys);
        }
        for (test, variable, values) in &conditions {
            add(
                &mut cond,
                test.clone(),
                [(variable.clone(), values.clone())].into_iter(),
            );
        }
        let map = cond
            .into_iter()
            .map(|(t, keys)| {
                let s = t.span;
                (t, Value::new(Kind::Map(keys), s, f))
            })
            .collect();
        let mut s = web_identity_statement(
            vec![fed],
            Value::new(Kind::Map(map), span, f),
            url.span,
            f,
            true,
        );
        // The module lists `sts:TagSession` first; the order means nothing to IAM.
        if let Kind::Map(entries) = &mut s.kind {
            entries.retain(|(k, _)| k.as_str() != Some("Action"));
            let actions = ["sts:TagSession", "sts:AssumeRoleWithWebIdentity"]
                .map(|a| Value::str(a, url.span, f))
                .to_vec();
            entries.push((
                Value::str("Action", url.span, f),
                Value::new(Kind::List(actions), url.span, f),
            ));
        }
        out.push(s);
    }
    out
}

/// Merge `keys` into the condition operator `test`.
fn add(
    cond: &mut Vec<(Value, Vec<(Value, Value)>)>,
    test: Value,
    keys: impl Iterator<Item = (Value, Value)>,
) {
    match cond
        .iter_mut()
        .find(|(t, _)| t.to_text().is_some() && t.to_text() == test.to_text())
    {
        Some((_, existing)) => existing.extend(keys),
        None => cond.push((test, keys.collect())),
    }
}

/// `[{ test, variable, values }]` as written (entries missing a field are left out).
fn written_conditions(v: Option<Value>) -> Vec<(Value, Value, Value)> {
    list_of(v)
        .iter()
        .filter_map(|c| {
            Some((
                c.get("test")?.clone(),
                c.get("variable")?.clone(),
                c.get("values")?.clone(),
            ))
        })
        .collect()
}

/// One `trust_policy_permissions` entry as the policy document renders it.
fn generic_statement(key: &Value, s: &Value, f: FileId) -> Value {
    let span = s.span;
    let mut entries: Vec<(&str, Span, Value)> = Vec::new();
    let sid = s
        .get("sid")
        .filter(|v| !v.is_null())
        .cloned()
        .unwrap_or_else(|| key.clone());
    entries.push(("Sid", sid.span, sid));
    let effect = s.get("effect").filter(|v| !v.is_null()).cloned();
    entries.push((
        "Effect",
        span,
        effect.unwrap_or_else(|| Value::str("Allow", span, f)),
    ));
    for (tf, json) in [("actions", "Action"), ("not_actions", "NotAction")] {
        if let Some(v) = s.get(tf).filter(|v| !v.is_null()) {
            entries.push((json, v.span, v.clone()));
        }
    }
    for (tf, json) in [
        ("principals", "Principal"),
        ("not_principals", "NotPrincipal"),
    ] {
        let Some(list) = s.get(tf).filter(|v| !v.is_null()) else {
            continue;
        };
        let mut by_type: Vec<(Value, Vec<Value>)> = Vec::new();
        for p in list.as_list().unwrap_or_default() {
            let (Some(ty), Some(ids)) = (p.get("type"), p.get("identifiers")) else {
                continue;
            };
            let ids = ids
                .as_list()
                .map_or_else(|| vec![ids.clone()], <[Value]>::to_vec);
            match by_type
                .iter_mut()
                .find(|(t, _)| t.to_text() == ty.to_text())
            {
                Some((_, existing)) => existing.extend(ids),
                None => by_type.push((ty.clone(), ids)),
            }
        }
        let map = by_type
            .into_iter()
            .map(|(t, ids)| {
                let at = t.span;
                (t, Value::new(Kind::List(ids), at, f))
            })
            .collect();
        entries.push((json, list.span, Value::new(Kind::Map(map), list.span, f)));
    }
    if let Some(c) = s.get("condition").filter(|v| !v.is_null()) {
        let mut cond = Vec::new();
        for (test, variable, values) in written_conditions(Some(c.clone())) {
            add(&mut cond, test, [(variable, values)].into_iter());
        }
        let map = cond
            .into_iter()
            .map(|(t, keys)| {
                let at = t.span;
                (t, Value::new(Kind::Map(keys), at, f))
            })
            .collect();
        entries.push(("Condition", c.span, Value::new(Kind::Map(map), c.span, f)));
    }
    obj(entries, span, f)
}
