//! Providers known only at apply time: `"${module.eks.oidc_provider}:sub"` is "this cluster's
//! provider, host unknown". Federated ARNs and condition keys get one symbolic host per document,
//! so the `sub`/`aud` values are still checked; any other unknown leaves the trust unchecked.

use crate::syntax::yaml::{Node, NodeKind};

pub use super::trust::UNKNOWN_ACCOUNT;

/// The first unknown Terraform value (see `value::marker`) in a scalar's text.
pub fn unknown_in(text: &str) -> Option<&str> {
    let i = text.find(super::value::MARK)?;
    let after = &text[i + super::value::MARK.len()..];
    Some(after.split('}').next().unwrap_or(after))
}

/// Make a provider known only at apply time checkable: Federated ARNs and `…:sub`/`…:aud` keys
/// whose host is unknown get one symbolic host per document (a known host in the same document
/// wins). Returns the first unknown that remains where the trust is decided, if any.
pub fn settle_symbolic_provider(root: &mut Node) -> Option<String> {
    // A `Sid` known only at apply time names the statement and decides nothing.
    for_each_statement(root, &mut |st| {
        if let NodeKind::Map(entries) = &mut st.kind {
            entries.retain(|e| {
                e.key.as_str() != Some("Sid")
                    || e.value.as_str().is_none_or(|s| unknown_in(s).is_none())
            });
        }
    });
    let mut known_host: Option<String> = None;
    let mut symbolic: Option<String> = None;
    for_each_statement(root, &mut |st| {
        for fed in federated_mut(st) {
            let text = fed.as_str().unwrap_or_default().to_string();
            match text.split_once(":oidc-provider/") {
                Some((_, host)) if unknown_in(host).is_none() => {
                    known_host = known_host.clone().or(Some(host.into()))
                }
                _ => {
                    if let Some(u) = unknown_in(&text) {
                        symbolic = symbolic.clone().or(Some(u.to_string()));
                    }
                }
            }
        }
        // Only a web-identity statement's claim keys name a provider host (a domain): a global
        // key such as `aws:PrincipalArn` (in a self-assume statement, say) does not.
        let web = is_web_identity(st);
        for key in condition_keys_mut(st) {
            let text = key.as_str().unwrap_or_default();
            if let Some((prefix, _)) = text.rsplit_once(':') {
                match unknown_in(prefix) {
                    None if web && prefix.contains('.') => {
                        known_host = known_host.clone().or(Some(prefix.to_string()))
                    }
                    None => {}
                    Some(u) => symbolic = Some(u.to_string()),
                }
            }
        }
    });
    let host = known_host.unwrap_or_else(|| symbolic_host(&symbolic.unwrap_or_default()));
    let mut remaining = None;
    for_each_statement(root, &mut |st| {
        for fed in federated_mut(st) {
            let text = fed.as_str().unwrap_or_default().to_string();
            if unknown_in(&text).is_some() {
                let partition = text
                    .split(':')
                    .nth(1)
                    .filter(|p| p.starts_with("aws"))
                    .unwrap_or("aws");
                set_text(
                    fed,
                    format!("arn:{partition}:iam::{UNKNOWN_ACCOUNT}:oidc-provider/{host}"),
                );
            }
        }
        for key in condition_keys_mut(st) {
            let text = key.as_str().unwrap_or_default().to_string();
            if let Some((prefix, claim)) = text.rsplit_once(':') {
                if unknown_in(prefix).is_some() {
                    set_text(key, format!("{host}:{claim}"));
                }
            }
        }
        if remaining.is_none() && (is_web_identity(st) || st.str_at(&["Effect"]) == Some("Deny")) {
            remaining = deciding_unknown(st);
        }
    });
    // Other Allow statements (a service principal, a self-assume) that depend on an unknown say
    // nothing about service accounts: they are left out rather than read as placeholders.
    if let Some(NodeKind::Seq(items)) = map_get_mut(root, "Statement").map(|s| &mut s.kind) {
        items.retain(|st| is_web_identity(st) || deciding_unknown(st).is_none());
    }
    remaining
}

/// A statement about web identity: a Federated principal, or the web-identity action.
fn is_web_identity(st: &Node) -> bool {
    st.path(&["Principal", "Federated"]).is_some()
        || st.get("Action").is_some_and(|a| {
            a.one_or_many().iter().any(|x| {
                x.as_str()
                    .is_some_and(|s| s.ends_with("AssumeRoleWithWebIdentity"))
            })
        })
}

/// A host name for an unknown provider, from the reference in it:
/// `replace(module.eks.cluster_oidc_issuer_url, "https://", "")` → `module.eks.cluster-oidc-issuer-url`.
pub fn symbolic_host(unknown: &str) -> String {
    let reference = unknown
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-'))
        .find(|t| t.contains('.') && t.starts_with(|c: char| c.is_ascii_alphabetic()))
        .unwrap_or(unknown);
    let host: String = reference
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let host = host.trim_matches(|c: char| c == '-' || c == '.');
    if host.is_empty() {
        "unknown-oidc-provider".into()
    } else {
        host.to_string()
    }
}

fn set_text(n: &mut Node, text: String) {
    if let NodeKind::Scalar(s) = &mut n.kind {
        s.text = text;
    }
}

fn for_each_statement(root: &mut Node, f: &mut dyn FnMut(&mut Node)) {
    let Some(st) = map_get_mut(root, "Statement") else {
        return;
    };
    match &mut st.kind {
        NodeKind::Seq(items) => items.iter_mut().for_each(f),
        NodeKind::Map(_) => f(st),
        _ => {}
    }
}

fn map_get_mut<'n>(n: &'n mut Node, key: &str) -> Option<&'n mut Node> {
    match &mut n.kind {
        NodeKind::Map(entries) => entries
            .iter_mut()
            .find(|e| e.key.as_str() == Some(key))
            .map(|e| &mut e.value),
        _ => None,
    }
}

fn federated_mut(st: &mut Node) -> Vec<&mut Node> {
    let Some(fed) = map_get_mut(st, "Principal").and_then(|p| map_get_mut(p, "Federated")) else {
        return Vec::new();
    };
    if matches!(fed.kind, NodeKind::Seq(_)) {
        match &mut fed.kind {
            NodeKind::Seq(items) => items.iter_mut().collect(),
            _ => Vec::new(),
        }
    } else {
        vec![fed]
    }
}

fn condition_keys_mut(st: &mut Node) -> Vec<&mut Node> {
    let mut out = Vec::new();
    if let Some(NodeKind::Map(ops)) = map_get_mut(st, "Condition").map(|c| &mut c.kind) {
        for op in ops.iter_mut() {
            if let NodeKind::Map(keys) = &mut op.value.kind {
                out.extend(keys.iter_mut().map(|k| &mut k.key));
            }
        }
    }
    out
}

/// An unknown in a web-identity statement's principal, action or condition values.
fn deciding_unknown(st: &Node) -> Option<String> {
    let parts = ["Principal", "Action", "NotAction", "Condition", "Effect"];
    parts
        .iter()
        .filter_map(|k| st.get(k))
        .flat_map(|n| n.descendants())
        .filter_map(|n| n.scalar())
        .find_map(|s| unknown_in(&s.text).map(str::to_string))
}
