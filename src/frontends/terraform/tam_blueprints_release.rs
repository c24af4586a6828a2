//! The `helm_release` of aws-ia's `eks-blueprints-addon` (see `tam_blueprints`), lowered into
//! the shared release fact through `helm::assemble`: `name = coalesce(name, chart)`, `namespace =
//! coalesce(namespace, "default")`, `chart`, `repository`, `version = chart_version`, `values`,
//! one `set` per `set` entry, then one per `set_irsa_names` key (`toset`: sorted, once) whose value
//! is the role's ARN, only when the role is created.

use hcl_edit::structure::Block;

use super::computed::role_arn;
use super::eval::{iter_pairs, Eval};
use super::helm::{assemble, Declared};
use super::tam::input;
use super::tam_blueprints::{coalesce, identity, DEFAULT_NAMESPACE};
use super::trust::obj;
use super::value::{FileId, Value};
use crate::facts::release::{Decided, HelmRelease, Place, Setting};

/// The module's `helm_release.this`.
pub fn release(
    ev: &Eval,
    block: &Block,
    f: FileId,
    address: &str,
    create_role: Result<bool, String>,
) -> Result<HelmRelease, String> {
    let file = ev.files.get(f);
    let get = |k: &str| input(ev, block, f, k);
    let chart = get("chart");
    // `name = try(coalesce(var.name, var.chart), "")`.
    let release_name = match (
        coalesce(&[get("name")]),
        coalesce(std::slice::from_ref(&chart)),
    ) {
        (Some(n), _) => {
            let text = n
                .as_str()
                .ok_or_else(|| format!("its name `{}` is not known offline", n.describe()))?;
            Setting::written(text, Place::new(&file, n.span))
        }
        (None, Some(c)) => Setting {
            value: c
                .as_str()
                .ok_or_else(|| format!("its chart `{}` is not known offline", c.describe()))?
                .to_string(),
            place: Some(Place::new(&file, c.span)),
            decided: Decided::Derived(
                "eks-blueprints-addon: no `name`, so the release is named after `chart`".into(),
            ),
        },
        (None, None) => return Err("it has no `chart`".into()),
    };
    // `local.namespace = try(coalesce(var.namespace, "default"))`.
    let namespace = match coalesce(&[get("namespace")]) {
        Some(ns) => Setting::written(
            ns.as_str()
                .ok_or_else(|| format!("its namespace `{}` is not known offline", ns.describe()))?,
            Place::new(&file, ns.span),
        ),
        None => Setting::default(
            DEFAULT_NAMESPACE,
            "eks-blueprints-addon's default namespace `default`",
        ),
    };
    // A whole input that is unknown may name the service account: not guessed away.
    let unknown = |k: &str| format!("its `{k}` is not known offline");
    let values = get("values").filter(|v| !v.is_null());
    if values.as_ref().is_some_and(|v| v.as_list().is_none()) {
        return Err(unknown("values"));
    }
    let mut set: Vec<Value> = match get("set") {
        Some(s) => iter_pairs(&s)
            .ok_or_else(|| unknown("set"))?
            .into_iter()
            .map(|(_, v)| v)
            .collect(),
        None => Vec::new(),
    };
    set.extend(
        irsa_sets(ev, block, f, address, create_role).ok_or_else(|| unknown("set_irsa_names"))?,
    );
    assemble(
        ev,
        Declared {
            address: format!("{address}.helm_release.this[0]"),
            span: ev.span(f, block),
            release_name,
            namespace,
            chart,
            repository: get("repository"),
            version: get("chart_version"),
            values,
            set,
        },
        f,
    )
}

/// `set_irsa_names`: each key (as a set: sorted, once) set to the role's ARN when the role is
/// created; to an unknown (so not set) when that is not known. `None`: the list is unknown.
fn irsa_sets(
    ev: &Eval,
    block: &Block,
    f: FileId,
    address: &str,
    create_role: Result<bool, String>,
) -> Option<Vec<Value>> {
    let mut keys: Vec<Value> = match input(ev, block, f, "set_irsa_names") {
        None => Vec::new(),
        Some(n) if n.is_null() => Vec::new(),
        Some(n) => n.as_list()?.to_vec(),
    };
    keys.sort_by_key(|k| k.to_text());
    keys.dedup_by_key(|k| k.to_text());
    let (key, path) = identity(ev, block, f, address);
    let sets = keys
        .into_iter()
        .filter_map(|k| {
            let value = match create_role {
                Ok(false) => return None,
                Ok(true) => Value::str(role_arn(&key, path.as_deref()), k.span, f),
                Err(_) => Value::unknown("var.create_role", k.span, f),
            };
            let span = k.span;
            Some(obj(
                vec![("name", span, k), ("value", span, value)],
                span,
                f,
            ))
        })
        .collect();
    Some(sets)
}
