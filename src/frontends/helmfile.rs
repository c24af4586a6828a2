//! helmfile: every `releases:` entry of a `helmfile.yaml` becomes a [`HelmRelease`] fact.
//!
//! Read: `name`, `namespace` (default: the kube context's, assumed `default`), `chart` (a local
//! directory, `alias/name` with the alias from `repositories:`, or `oci://…`), `version`,
//! `values` (files relative to the helmfile, or inline mappings) and `set` (`name`/`value`).
//! Go-template helmfiles (`{{ … }}`, `*.gotmpl`) are not evaluated: a templated value is left
//! out and said so. Values files outside the linted tree are never read.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diagnostics::finding::{Finding, Location, ObjectRef};
use crate::diagnostics::input::InputError;
use crate::facts::release::{
    ChartSource, HelmRelease, Place, ReleaseOrigin, SetValue, Setting, ValuesLayer,
};
use crate::syntax::source::{read_text, SourceFile, DEFAULT_MAX_FILE_SIZE};
use crate::syntax::yaml::{self, Node};

/// Whether a file name is a helmfile.
pub fn is_helmfile_name(path: &Path) -> bool {
    matches!(
        path.file_name().and_then(|n| n.to_str()),
        Some("helmfile.yaml" | "helmfile.yml")
    )
}

/// The releases of one helmfile, and what could not be read.
#[derive(Default)]
pub struct Helmfile {
    pub releases: Vec<HelmRelease>,
    pub findings: Vec<Finding>,
    /// Values files read (for snippets and suppressions).
    pub files: Vec<Arc<SourceFile>>,
}

/// Read `file` (already parsed by the caller as `stream`); `roots` bound the files it may read.
pub fn read(file: &Arc<SourceFile>, roots: &[PathBuf]) -> Helmfile {
    let mut out = Helmfile::default();
    let stream = yaml::parse(&file.text);
    let dir = file.path.parent().unwrap_or(Path::new("."));
    for doc in &stream.documents {
        let repos: Vec<(String, String)> = doc
            .root
            .get("repositories")
            .and_then(Node::as_seq)
            .unwrap_or_default()
            .iter()
            .filter_map(|r| Some((r.str_at(&["name"])?.into(), r.str_at(&["url"])?.into())))
            .collect();
        for rel in doc
            .root
            .get("releases")
            .and_then(Node::as_seq)
            .unwrap_or_default()
        {
            if let Some(r) = release(file, dir, rel, &repos, roots, &mut out) {
                out.releases.push(r);
            }
        }
    }
    out
}

fn note(out: &mut Helmfile, file: &Arc<SourceFile>, span: yaml::Span, message: String) {
    out.findings.push(
        Finding::new(&InputError::META, message)
            .at(Location::new(file, span))
            .severity(crate::diagnostics::finding::Severity::Note),
    );
}

/// A chart or values file that is not in the linted tree (IRSA054, a note).
fn not_in_tree(out: &mut Helmfile, file: &Arc<SourceFile>, span: yaml::Span, message: String) {
    out.findings.push(
        Finding::new(&crate::diagnostics::input::SourceNotInTree::META, message)
            .at(Location::new(file, span)),
    );
}

fn release(
    file: &Arc<SourceFile>,
    dir: &Path,
    rel: &Node,
    repos: &[(String, String)],
    roots: &[PathBuf],
    out: &mut Helmfile,
) -> Option<HelmRelease> {
    let name_node = rel.get("name")?;
    let name = name_node.as_str()?.to_string();
    let chart_node = rel.get("chart")?;
    let chart_text = chart_node.as_str()?;
    if chart_text.contains("{{") || name.contains("{{") {
        note(
            out,
            file,
            rel.span,
            format!("helmfile release `{name}`: templated name or chart, not linted"),
        );
        return None;
    }
    let place = |n: &Node| Place::new(file, n.span);
    let chart = chart_source(dir, chart_text, chart_node, rel, repos, file);
    if let ChartSource::Local { dir: d, .. } = &chart {
        if !inside(d, roots) {
            not_in_tree(out, file, chart_node.span, format!("helmfile release `{name}`: chart `{chart_text}` is outside the linted tree; not read"));
            return None;
        }
    }
    let namespace = match rel.entry("namespace") {
        Some(e) if e.value.as_str().is_some() => {
            Setting::written(e.value.as_str()?, place(&e.value))
        }
        _ => Setting::default(
            "default",
            "helmfile: no `namespace:`, so the kube context's namespace (assumed `default`)",
        ),
    };
    let mut values = Vec::new();
    for v in rel.get("values").and_then(Node::as_seq).unwrap_or_default() {
        if v.as_map().is_some() {
            values.push(ValuesLayer {
                file: file.clone(),
                root: v.clone(),
            });
            continue;
        }
        let Some(rel_path) = v.as_str() else { continue };
        let path = dir.join(rel_path);
        if rel_path.ends_with(".gotmpl") || rel_path.contains("{{") {
            note(
                out,
                file,
                v.span,
                format!("helmfile release `{name}`: values template `{rel_path}` is not evaluated"),
            );
            continue;
        }
        if !inside(&path, roots) {
            not_in_tree(out, file, v.span, format!("helmfile release `{name}`: values file `{rel_path}` is outside the linted tree (or missing); not read"));
            continue;
        }
        match read_text(&path, DEFAULT_MAX_FILE_SIZE) {
            Ok(text) => {
                let display = display_of(&path);
                let vf = Arc::new(SourceFile::new(&path, display, text));
                let stream = yaml::parse(&vf.text);
                // A parse error is reported where the file itself is linted (it is in the tree).
                if let Some(doc) = stream.documents.into_iter().next() {
                    values.push(ValuesLayer {
                        file: vf.clone(),
                        root: doc.root,
                    });
                }
                out.files.push(vf);
            }
            Err(e) => note(
                out,
                file,
                v.span,
                format!(
                    "helmfile release `{name}`: values file `{rel_path}`: {}",
                    e.message
                ),
            ),
        }
    }
    let mut set = Vec::new();
    for s in rel.get("set").and_then(Node::as_seq).unwrap_or_default() {
        let (Some(key), Some(value)) = (s.entry("name"), s.get("value")) else {
            continue;
        };
        let Some(key_text) = key.value.as_str() else {
            continue;
        };
        set.push(SetValue {
            path: SetValue::split_key(key_text),
            file: file.clone(),
            key_span: key.key.span.to(key.value.span),
            value: value.clone(),
        });
    }
    Some(HelmRelease {
        origin: ReleaseOrigin {
            place: Place::new(file, name_node.span),
            object: ObjectRef::new("HelmfileRelease", namespace_opt(&namespace), &name),
            frontend: "helmfile",
        },
        release_name: Setting::written(name, place(name_node)),
        namespace,
        chart,
        values,
        set,
        unknown_values: Vec::new(),
    })
}

fn namespace_opt(s: &Setting) -> Option<&str> {
    s.place.as_ref().map(|_| s.value.as_str())
}

fn chart_source(
    dir: &Path,
    chart: &str,
    node: &Node,
    rel: &Node,
    repos: &[(String, String)],
    file: &Arc<SourceFile>,
) -> ChartSource {
    let place = Some(Place::new(file, node.span));
    let version = rel.str_at(&["version"]).map(str::to_string);
    if let Some(oci) = chart.strip_prefix("oci://") {
        let name = oci.rsplit('/').next().unwrap_or(oci).to_string();
        return ChartSource::Remote {
            repo: Some(chart.to_string()),
            name,
            version,
            place,
        };
    }
    let local = dir.join(chart);
    let looks_local = chart.starts_with("./") || chart.starts_with("../") || chart.starts_with('/');
    if looks_local || local.join("Chart.yaml").is_file() {
        return ChartSource::Local {
            display: display_of(&local),
            dir: local,
        };
    }
    let (repo, name) = match chart.split_once('/') {
        Some((alias, name)) => (
            Some(
                repos
                    .iter()
                    .find(|(a, _)| a == alias)
                    .map_or(alias.to_string(), |(_, u)| u.clone()),
            ),
            name.to_string(),
        ),
        None => (None, chart.to_string()),
    };
    ChartSource::Remote {
        repo,
        name,
        version,
        place,
    }
}

/// `path` exists and is inside one of `roots` (after resolving symlinks and `..`).
fn inside(path: &Path, roots: &[PathBuf]) -> bool {
    let Ok(real) = path.canonicalize() else {
        return false;
    };
    roots.iter().any(|r| real.starts_with(r))
}

fn display_of(path: &Path) -> String {
    let s = path.to_string_lossy();
    let s = s.strip_prefix("./").unwrap_or(&s).to_string();
    // `a/b/../c` as the user would write it: normalise `.` components only.
    s.replace("/./", "/")
}
