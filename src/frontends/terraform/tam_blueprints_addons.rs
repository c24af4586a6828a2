//! aws-ia/eks-blueprints-addons (plural) 1.x, modeled from v1.23.0: each add-on that makes an
//! IRSA role is a call of `eks-blueprints-addon` (see `tam_blueprints`) whose inputs the module
//! takes from `var.enable_<key>` and the `var.<key>` object, with the defaults of
//! `data/blueprints_addons.tsv` (one row per add-on, with its line in the module's main.tf).
//! Here that call is lowered as the singular model lowers it: the role's trust (one statement
//! per service account: `system:serviceaccount:<release namespace>:<account>`, the provider
//! `oidc_provider_arn`) and the release, whose `set` names each account and sets the role's ARN
//! at the `set_irsa_names` keys. Outputs: `module.<call>.<key>.iam_role_arn`/`iam_role_name`.

use hcl_edit::structure::Block;

use super::computed::{role_arn, role_key};
use super::eval::Eval;
use super::lower::{push_trust, Lowered, Note};
use super::tam::{host_of, input, key, major_of, split_source, web_identity_statement};
use super::tam_blueprints::coalesce;
use super::trust::obj;
use super::value::{FileId, Kind, Value};
use crate::diagnostics::finding::ObjectRef;
use crate::syntax::yaml::Span;

const TABLE: &str = include_str!("data/blueprints_addons.tsv");

/// One add-on of the table.
#[derive(Debug, Clone)]
pub struct Row {
    pub key: &'static str,
    pub(super) release: &'static str,
    namespace: &'static str,
    pub(super) chart: &'static str,
    pub(super) repository: &'static str,
    pub(super) version: &'static str,
    /// `(set path, config key, default name)`.
    accounts: Vec<(&'static str, &'static str, &'static str)>,
    pub(super) irsa: Vec<&'static str>,
    gate: Option<&'static str>,
    role_name: &'static str,
}

pub fn rows() -> Vec<Row> {
    TABLE
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| {
            let c: Vec<&'static str> = l.split('\t').collect();
            let [key, release, namespace, chart, repository, version, sas, irsa, gate, role_name, _line] =
                c.as_slice()
            else {
                return None;
            };
            let accounts = sas
                .split(';')
                .filter_map(|a| {
                    let mut p = a.splitn(3, '=');
                    Some((p.next()?, p.next()?, p.next()?))
                })
                .collect();
            Some(Row {
                key,
                release,
                namespace,
                chart,
                repository,
                version,
                accounts,
                irsa: irsa.split(';').collect(),
                gate: (*gate != "-").then_some(*gate),
                role_name,
            })
        })
        .collect()
}

/// Whether a call selects this model (`Some(Err)`: another major version).
pub fn selects(source: &str, version: Option<&str>) -> Option<Result<(), String>> {
    let (repo, sub, git_ref) = split_source(source);
    let this = repo == "aws-ia/eks-blueprints-addons/aws"
        || repo.ends_with("aws-ia/terraform-aws-eks-blueprints-addons.git")
        || repo.ends_with("aws-ia/terraform-aws-eks-blueprints-addons");
    if !this || !sub.is_empty() {
        return None;
    }
    Some(match version.or(git_ref.as_deref()).and_then(major_of) {
        Some(1) | None => Ok(()),
        Some(m) => Err(format!(
            "eks-blueprints-addons {m}.x is not modeled (modeled: 1.x)"
        )),
    })
}

/// One enabled add-on, its inputs evaluated.
pub(super) struct Addon {
    pub(super) row: Row,
    pub(super) conf: Option<Value>,
    pub(super) address: String,
    pub(super) span: Span,
    pub(super) namespace: Value,
    /// Whether the call wrote the namespace (else the table's default).
    pub(super) namespace_written: bool,
    /// `(set path, account name)`.
    pub(super) accounts: Vec<(&'static str, Value)>,
    pub(super) role: Result<bool, String>,
}

impl Addon {
    pub(super) fn get(&self, k: &str) -> Option<Value> {
        coalesce(&[self.conf.as_ref()?.get(k).cloned()])
    }
    fn flag(&self, k: &str, default: bool) -> Result<bool, String> {
        match self.conf.as_ref().and_then(|c| c.get(k)) {
            None => Ok(default),
            Some(v) if v.is_null() => Ok(default),
            Some(v) => v.as_bool().ok_or_else(|| {
                format!(
                    "`{}.{k}` (`{}`) is not known offline",
                    self.row.key,
                    v.describe()
                )
            }),
        }
    }
    pub(super) fn role_identity(&self) -> (String, Option<String>) {
        let exact = self.flag("role_name_use_prefix", true) == Ok(false);
        let name = self
            .get("role_name")
            .and_then(|n| n.as_str().map(str::to_string));
        let name = name.unwrap_or_else(|| self.row.role_name.to_string());
        let path = self
            .get("role_path")
            .map_or(Some("/".into()), |p| p.as_str().map(str::to_string));
        (
            role_key(exact.then_some(name.as_str()), &self.address),
            path,
        )
    }
}

fn enabled(
    ev: &Eval,
    block: &Block,
    f: FileId,
    row: Row,
    address: &str,
) -> Result<Option<Addon>, String> {
    let span = ev.span(f, block);
    if !super::tam_blueprints::flag(ev, block, f, &format!("enable_{}", row.key), false)? {
        return Ok(None);
    }
    let conf = input(ev, block, f, row.key).filter(|c| !c.is_null());
    if conf.as_ref().is_some_and(|c| c.as_map().is_none()) {
        return Err(format!("`{}` is not known offline", row.key));
    }
    let (other, default) = match row.namespace.strip_prefix('@') {
        Some(rest) => rest
            .split_once(':')
            .map_or((None, rest), |(o, d)| (Some(o), d)),
        None => (None, row.namespace),
    };
    let other_ns = other
        .and_then(|o| input(ev, block, f, o))
        .and_then(|c| c.get("namespace").cloned());
    let own_ns = conf.as_ref().and_then(|c| c.get("namespace").cloned());
    let written = coalesce(&[own_ns, other_ns]);
    let namespace_written = written.is_some();
    let namespace = written.unwrap_or_else(|| Value::str(default, span, f));
    let accounts = row
        .accounts
        .iter()
        .map(|(path, k, d)| {
            let name = conf.as_ref().and_then(|c| coalesce(&[c.get(k).cloned()]));
            (*path, name.unwrap_or_else(|| Value::str(*d, span, f)))
        })
        .collect();
    let mut addon = Addon {
        address: format!("{address}.module.{}", row.key),
        row,
        conf,
        span,
        namespace,
        namespace_written,
        accounts,
        role: Ok(false),
    };
    addon.role = addon
        .flag("create_role", true)
        .and_then(|c| match addon.row.gate {
            Some(g) if c => match input(ev, block, f, g) {
                None => Ok(false),
                Some(v) => v
                    .as_list()
                    .map(|l| !l.is_empty())
                    .ok_or_else(|| format!("`{g}` is not known offline")),
            },
            _ => Ok(c),
        });
    Ok(Some(addon))
}

/// The outputs `<key>.iam_role_arn` / `<key>.iam_role_name` (an object per add-on).
pub fn output(ev: &Eval, block: &Block, f: FileId, address: &str, out: &str) -> Option<Value> {
    let row = rows().into_iter().find(|r| r.key == out)?;
    let addon = enabled(ev, block, f, row, address).ok()??;
    if addon.role != Ok(true) {
        return None;
    }
    let (key, path) = addon.role_identity();
    let span = addon.span;
    Some(obj(
        vec![
            (
                "iam_role_arn",
                span,
                Value::str(role_arn(&key, path.as_deref()), span, f),
            ),
            ("iam_role_name", span, Value::str(key, span, f)),
            ("namespace", span, addon.namespace.clone()),
        ],
        span,
        f,
    ))
}

/// Lower one call: each enabled add-on's role trust and release.
pub fn lower(ev: &Eval, block: &Block, f: FileId, address: &str, out: &mut Lowered) {
    let span = ev.span(f, block);
    let note = |out: &mut Lowered, message: String| {
        out.notes.push(Note {
            file: f,
            span,
            message,
        })
    };
    let oidc = input(ev, block, f, "oidc_provider_arn");
    let releases = super::tam_blueprints::flag(ev, block, f, "create_kubernetes_resources", true);
    for row in rows() {
        let key = row.key;
        let addon = match enabled(ev, block, f, row, address) {
            Ok(Some(a)) => a,
            Ok(None) => continue,
            Err(why) => {
                note(
                    out,
                    format!("add-on `{key}` of `{address}` is not checked: {why}"),
                );
                continue;
            }
        };
        match &addon.role {
            Ok(true) => lower_role(ev, &addon, oidc.clone(), f, out),
            Ok(false) => {}
            Err(why) => note(
                out,
                format!("the role of `{}` is not checked: {why}", addon.address),
            ),
        }
        match &releases {
            Ok(false) => {}
            Err(why) => note(
                out,
                format!("the release of `{}` is not checked: {why}", addon.address),
            ),
            Ok(true) => match super::tam_blueprints_addons_release::release(ev, &addon, f) {
                Ok(r) => out.releases.push(r),
                Err(why) => note(
                    out,
                    format!(
                        "`{}.helm_release.this[0]` is not checked: {why}",
                        addon.address
                    ),
                ),
            },
        }
    }
}

fn lower_role(ev: &Eval, addon: &Addon, oidc: Option<Value>, f: FileId, out: &mut Lowered) {
    let span = addon.span;
    let arn = oidc.unwrap_or_else(|| Value::unknown("var.oidc_provider_arn", span, f));
    let host = host_of(&arn);
    let statements = addon
        .accounts
        .iter()
        .map(|(_, sa)| {
            let subject = super::tam::prefixed(
                &format!(
                    "system:serviceaccount:{}:",
                    addon.namespace.to_text().unwrap_or_default()
                ),
                sa,
            );
            let subject = if addon.namespace.to_text().is_some() {
                subject
            } else {
                Value::unknown(addon.namespace.describe(), sa.span, f)
            };
            let one = |v: Value, at: Span| Value::new(Kind::List(vec![v]), at, f);
            let keys = vec![
                (key(&host, ":sub", sa.span, f), one(subject, sa.span)),
                (
                    key(&host, ":aud", arn.span, f),
                    one(Value::str("sts.amazonaws.com", arn.span, f), arn.span),
                ),
            ];
            let test = Value::str("StringEquals", span, f);
            let cond = Value::new(
                Kind::Map(vec![(test, Value::new(Kind::Map(keys), span, f))]),
                span,
                f,
            );
            web_identity_statement(vec![arn.clone()], cond, span, f, false)
        })
        .collect();
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
    let (key, _) = addon.role_identity();
    let file = ev.files.get(f);
    let object = ObjectRef::new("module", None, &addon.address);
    push_trust(
        ev,
        &file,
        f,
        Some(doc.to_node()),
        key,
        object,
        span,
        &addon.address,
        out,
    );
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_row_parses_with_an_account_and_an_irsa_key_each() {
        let rows = super::rows();
        assert_eq!(rows.len(), 14);
        for r in rows {
            assert_eq!(r.accounts.len(), r.irsa.len(), "{}", r.key);
            assert!(
                r.irsa
                    .iter()
                    .all(|k| k.ends_with("eks\\.amazonaws\\.com/role-arn")),
                "{}",
                r.key
            );
        }
    }
}
