//! The releases of aws-ia/eks-blueprints-addons (see `tam_blueprints_addons`): per add-on,
//! `eks-blueprints-addon`'s `helm_release.this` with `name`, `namespace`, `chart`, `repository`,
//! `chart_version`, `values` from `var.<key>` or the table, and `set` = the module's service
//! account entries, then `var.<key>.set`, then the role's ARN at each `set_irsa_names` key.

use super::computed::role_arn;
use super::eval::{iter_pairs, Eval};
use super::helm::{assemble, Declared};
use super::tam_blueprints_addons::Addon;
use super::trust::obj;
use super::value::{FileId, Value};
use crate::facts::release::{Place, Setting};

fn setting(
    v: Option<Value>,
    default: &str,
    what: &str,
    ev: &Eval,
    f: FileId,
) -> Result<Setting, String> {
    let file = ev.files.get(f);
    match v {
        Some(v) => {
            let text = v
                .as_str()
                .ok_or_else(|| format!("its {what} `{}` is not known offline", v.describe()))?;
            Ok(Setting::written(text, Place::new(&file, v.span)))
        }
        None => Ok(Setting::default(
            default,
            format!("eks-blueprints-addons' default {what} `{default}`"),
        )),
    }
}

pub(super) fn release(
    ev: &Eval,
    addon: &Addon,
    f: FileId,
) -> Result<crate::facts::release::HelmRelease, String> {
    let span = addon.span;
    let row = &addon.row;
    let pair = |name: &str, value: Value| {
        let at = value.span;
        obj(
            vec![("name", at, Value::str(name, at, f)), ("value", at, value)],
            at,
            f,
        )
    };
    let mut set: Vec<Value> = addon
        .accounts
        .iter()
        .map(|(p, sa)| pair(p, sa.clone()))
        .collect();
    if let Some(s) = addon.get("set") {
        set.extend(
            iter_pairs(&s)
                .ok_or("its `set` is not known offline")?
                .into_iter()
                .map(|(_, v)| v),
        );
    }
    if addon.role == Ok(true) {
        let (key, path) = addon.role_identity();
        let arn = Value::str(role_arn(&key, path.as_deref()), span, f);
        set.extend(row.irsa.iter().map(|p| pair(p, arn.clone())));
    }
    let values = addon.get("values");
    if values.as_ref().is_some_and(|v| v.as_list().is_none()) {
        return Err("its `values` is not known offline".into());
    }
    let ns = addon.namespace_written.then(|| addon.namespace.clone());
    let namespace = setting(
        ns,
        addon.namespace.as_str().unwrap_or_default(),
        "namespace",
        ev,
        f,
    )?;
    let text = |k: &str, d: &str| addon.get(k).unwrap_or_else(|| Value::str(d, span, f));
    assemble(
        ev,
        Declared {
            address: format!("{}.helm_release.this[0]", addon.address),
            span,
            release_name: setting(addon.get("name"), row.release, "release name", ev, f)?,
            namespace,
            chart: Some(text("chart", row.chart)),
            repository: Some(text("repository", row.repository)),
            version: Some(text("chart_version", row.version)),
            values,
            set,
        },
        f,
    )
}
