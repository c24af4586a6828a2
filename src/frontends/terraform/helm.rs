//! `helm_release` lowered into the shared release fact: name, namespace (the helm provider's
//! `default` when unset), chart (in the tree → rendered; remote → chart packs), `values = [...]`
//! (yamlencode, heredoc, file, templatefile), `set` in block and list syntax, and `set_list`.

use hcl_edit::structure::Block;

use super::eval::Eval;
use super::sa::symbolic_text;
use super::trust::text_node;
use super::value::{FileId, Kind, Value};
use crate::diagnostics::finding::ObjectRef;
use crate::facts::release::{
    ChartSource, HelmRelease, Place, ReleaseOrigin, SetValue, Setting, ValuesLayer,
};
use crate::syntax::yaml::{NodeKind, Span};

/// The release a `helm_release` block declares; `Err` says what is not known offline.
pub fn release(ev: &Eval, address: &str, block: &Block, f: FileId) -> Result<HelmRelease, String> {
    let file = ev.files.get(f);
    let attr = |k: &str| block.body.get_attribute(k).map(|a| ev.eval(&a.value, f));
    let name = attr("name").ok_or("it has no `name`")?;
    let name_text = name
        .as_str()
        .ok_or_else(|| format!("its name `{}` is not known offline", name.describe()))?;
    let namespace = match attr("namespace") {
        Some(ns) => match ns.as_str() {
            Some(n) => Setting::written(n, Place::new(&file, ns.span)),
            None => {
                return Err(format!(
                    "its namespace `{}` is not known offline",
                    ns.describe()
                ))
            }
        },
        None => Setting::default("default", "the helm provider's default namespace `default`"),
    };
    let mut set = Vec::new();
    for kind in ["set", "set_list"] {
        // Block syntax (`set { … }`, provider 2.x) and list syntax (`set = [{…}]`, 3.x).
        set.extend(
            block
                .body
                .blocks()
                .filter(|b| b.ident.as_str() == kind)
                .map(|b| ev.body_value(&b.body, f, 1)),
        );
        if let Some(list) = attr(kind) {
            set.extend(list.as_list().unwrap_or_default().iter().cloned());
        }
    }
    assemble(
        ev,
        Declared {
            address: address.to_string(),
            span: ev.span(f, block),
            release_name: Setting::written(name_text, Place::new(&file, name.span)),
            namespace,
            chart: attr("chart"),
            repository: attr("repository"),
            version: attr("version"),
            values: attr("values"),
            set,
        },
        f,
    )
}

/// A release as declared, evaluated: what `helm_release` and the modules that wrap one (the
/// eks-blueprints-addon) have in common.
pub struct Declared {
    pub address: String,
    /// The declaring block.
    pub span: Span,
    pub release_name: Setting,
    pub namespace: Setting,
    pub chart: Option<Value>,
    pub repository: Option<Value>,
    pub version: Option<Value>,
    /// A list of YAML strings (`yamlencode`, heredoc, `file`, `templatefile`).
    pub values: Option<Value>,
    /// `{ name, value }` objects, in order (later ones win).
    pub set: Vec<Value>,
}

/// The release fact of a declared release; `Err` says what is not known offline.
pub fn assemble(ev: &Eval, d: Declared, f: FileId) -> Result<HelmRelease, String> {
    let file = ev.files.get(f);
    let place = |v: &Value| Place::new(&file, v.span);
    let chart_v = d
        .chart
        .filter(|c| c.as_str() != Some(""))
        .ok_or("it has no `chart`")?;
    let chart = chart_v
        .as_str()
        .ok_or_else(|| format!("its chart `{}` is not known offline", chart_v.describe()))?;
    let local = ev
        .ctx
        .world
        .inside(&ev.ctx.dir, chart)
        .filter(|d| d.join("Chart.yaml").is_file());
    let chart = match local {
        Some(dir) => ChartSource::Local {
            display: ev.ctx.world.display(&dir),
            dir,
        },
        None if chart.starts_with("./") || chart.starts_with("../") => {
            return Err(format!(
                "its chart `{chart}` is not a chart inside the tree"
            ))
        }
        None => ChartSource::Remote {
            repo: d.repository.and_then(|r| r.as_str().map(str::to_string)),
            name: chart.rsplit('/').next().unwrap_or(chart).to_string(),
            version: d.version.and_then(|v| v.as_str().map(str::to_string)),
            place: Some(place(&chart_v)),
        },
    };
    let (values, mut unknown_values) = values_layers(ev, d.values.as_ref());
    let mut set = Vec::new();
    for e in d.set {
        let (Some(key), Some(value)) = (e.get("name"), e.get("value")) else {
            continue;
        };
        let Some(key_text) = key.as_str() else {
            continue;
        };
        let path = SetValue::split_key(key_text);
        // An unknown value stays in place, symbolic (the chart's default is not what is set), and
        // the release says it has values not known offline.
        let value = match &value.kind {
            _ if value.has_unknown() && is_role_arn_key(&path) => {
                Value::str(symbolic_text(value), value.span, value.file)
            }
            _ if value.has_unknown() => {
                unknown_values.push(Place::new(&file, key.span));
                value.clone()
            }
            Kind::Number(_) | Kind::Bool(_) => {
                Value::str(value.to_text().unwrap_or_default(), value.span, value.file)
            }
            _ => value.clone(),
        };
        // The provider types a `set` value as `helm --set` does (`"false"` is a boolean), unless
        // `type = "string"` (`--set-string`).
        let mut node = value.to_node();
        super::standin::deploy_time(&mut node);
        let as_string = e.get("type").and_then(Value::as_str) == Some("string");
        if let (NodeKind::Scalar(scalar), false) = (&mut node.kind, as_string) {
            scalar.plain = true;
        }
        set.push(SetValue {
            path,
            file: file.clone(),
            key_span: key.span,
            value: node,
        });
    }
    let ns_ref = d
        .namespace
        .place
        .as_ref()
        .map(|_| d.namespace.value.clone());
    Ok(HelmRelease {
        origin: ReleaseOrigin {
            place: Place::new(&file, d.span),
            object: ObjectRef::new("helm_release", ns_ref.as_deref(), &d.address),
            frontend: "terraform",
        },
        release_name: d.release_name,
        namespace: d.namespace,
        chart,
        values,
        set,
        unknown_values,
    })
}

/// The values layers of `values = [...]`, each document kept whole: an unknown inside one is a
/// symbolic scalar in place (`standin`). A layer (or the whole list) that is itself unknown is
/// set at deploy time: its place is returned as such, as is a layer kept with unknowns in it.
fn values_layers(ev: &Eval, values: Option<&Value>) -> (Vec<ValuesLayer>, Vec<Place>) {
    let (mut layers, mut unknown) = (Vec::new(), Vec::new());
    let Some(values) = values else {
        return (layers, unknown);
    };
    let items = match &values.kind {
        Kind::List(items) => items.as_slice(),
        Kind::Null => &[],
        _ => std::slice::from_ref(values),
    };
    for v in items {
        if v.is_unknown() || v.to_text().is_none() && v.doc.is_none() {
            unknown.push(Place::new(&ev.files.get(v.file), v.span));
            continue;
        }
        let (root, file) = match &v.doc {
            Some(doc) => (Some(doc.to_node()), ev.files.get(doc.file)),
            None => (text_node(v, &ev.files.get(v.file)), ev.files.get(v.file)),
        };
        match root {
            Some(mut root) => {
                // Kept whole, but the release's names are then not all known.
                if v.has_unknown() {
                    unknown.push(Place::new(&ev.files.get(v.file), v.span));
                }
                super::standin::deploy_time(&mut root);
                layers.push(ValuesLayer { file, root })
            }
            None => unknown.push(Place::new(&ev.files.get(v.file), v.span)),
        }
    }
    (layers, unknown)
}

fn is_role_arn_key(path: &[String]) -> bool {
    path.last()
        .is_some_and(|k| k == crate::facts::ROLE_ARN_ANNOTATION)
}
