//! Values layers of a Helm source, in Argo CD's order of precedence: `helm.valueFiles`, then
//! `helm.values` (a YAML string, its spans mapped into the file), then `helm.valuesObject`, then
//! `helm.parameters`.

use std::path::Path;
use std::sync::Arc;

use super::source::Lowering;
use super::{display_of, not_in_tree, note, Read};
use crate::diagnostics::finding::Severity;
use crate::facts::release::{Place, SetValue, ValuesLayer};
use crate::frontends::gitops::deploy_time::placeholder_values;
use crate::frontends::gitops::{in_tree, inside};
use crate::syntax::embedded::parse_embedded;
use crate::syntax::source::{read_text, SourceFile, DEFAULT_MAX_FILE_SIZE};
use crate::syntax::yaml::{self, Node, NodeKind, Span};

/// The values of one Helm source, and the places of values only known at deploy time.
#[derive(Default)]
pub(super) struct Values {
    pub layers: Vec<ValuesLayer>,
    pub set: Vec<SetValue>,
    pub unknown: Vec<Place>,
}

impl Lowering<'_> {
    /// Every values layer of `helm`; `None` when `helm.values` is unusable (Argo CD cannot sync).
    pub(super) fn values(
        &self,
        helm: Option<&Node>,
        chart_dir: Option<&Path>,
        out: &mut Read,
    ) -> Option<Values> {
        let mut values = Values::default();
        let Some(helm) = helm else {
            return Some(values);
        };
        for vf in helm
            .get("valueFiles")
            .and_then(Node::as_seq)
            .unwrap_or_default()
        {
            self.value_file(vf, chart_dir, out, &mut values.layers);
        }
        for key in ["values", "valuesObject"] {
            let Some(v) = helm.get(key) else { continue };
            let object = format!("Argo CD Application `{}`", self.app);
            let key = format!("helm.{key}");
            if let Some((place, note)) = placeholder_values(self.file, v, &object, &key) {
                values.unknown.push(place);
                out.findings.push(note);
            } else if key == "helm.values" {
                values.layers.push(self.values_string(v, out)?);
            } else if v.as_map().is_some() {
                values.layers.push(ValuesLayer {
                    file: self.file.clone(),
                    root: v.clone(),
                });
            }
        }
        for p in helm
            .get("parameters")
            .and_then(Node::as_seq)
            .unwrap_or_default()
        {
            values.set.extend(self.parameter(p));
        }
        Some(values)
    }

    fn value_file(
        &self,
        vf: &Node,
        chart_dir: Option<&Path>,
        out: &mut Read,
        values: &mut Vec<ValuesLayer>,
    ) {
        let Some(written) = vf.as_str() else { return };
        let path = match written.strip_prefix('$').and_then(|r| r.split_once('/')) {
            Some((reference, rest)) if self.refs.contains(&reference) => {
                in_tree(self.file, rest, self.roots, &|p: &Path| p.is_file())
            }
            _ => chart_dir
                .map(|d| d.join(written))
                .filter(|p| inside(p, self.roots)),
        };
        let Some(path) = path else {
            let message = format!("Argo CD Application `{}`: value file `{written}` is not in the linted tree; not read", self.app);
            not_in_tree(out, self.file, vf.span, message);
            return;
        };
        match read_text(&path, DEFAULT_MAX_FILE_SIZE) {
            Ok(text) => {
                let values_file = Arc::new(SourceFile::new(&path, display_of(&path), text));
                // A parse error is reported where the file itself is linted (it is in the tree).
                if let Some(doc) = yaml::parse(&values_file.text).documents.into_iter().next() {
                    values.push(ValuesLayer {
                        file: values_file.clone(),
                        root: doc.root,
                    });
                }
                out.files.push(values_file);
            }
            Err(e) => {
                let message = format!(
                    "Argo CD Application `{}`: value file `{written}`: {}",
                    self.app, e.message
                );
                note(out, self.file, vf.span, Severity::Warning, message);
            }
        }
    }

    /// `helm.values`: a YAML string (or, leniently, a mapping). `None` when it is not YAML:
    /// Argo CD cannot sync the Application, so the release is not linted.
    pub(super) fn values_string(&self, v: &Node, out: &mut Read) -> Option<ValuesLayer> {
        if v.as_map().is_some() {
            return Some(ValuesLayer {
                file: self.file.clone(),
                root: v.clone(),
            });
        }
        let stream = parse_embedded(self.file, v)?;
        if let Some(err) = stream.error {
            let message = format!(
                "Argo CD Application `{}`: `helm.values` is not valid YAML: {}; the release is not linted",
                self.app, err.message
            );
            let at = Span {
                start: err.pos,
                end: err.pos,
            };
            note(out, self.file, at, Severity::Error, message);
            return None;
        }
        let root = stream.documents.into_iter().next().map(|d| d.root)?;
        if root.as_map().is_none() && !root.is_null() {
            let message = format!(
                "Argo CD Application `{}`: `helm.values` is not a mapping of values; the release is not linted",
                self.app
            );
            note(out, self.file, v.span, Severity::Error, message);
            return None;
        }
        Some(ValuesLayer {
            file: self.file.clone(),
            root,
        })
    }

    /// `helm.parameters` entry: `name`, `value`, `forceString`.
    fn parameter(&self, p: &Node) -> Option<SetValue> {
        let key = p.entry("name")?;
        let mut value = p.get("value")?.clone();
        if p.get("forceString").and_then(Node::as_bool) == Some(true) {
            if let NodeKind::Scalar(s) = &mut value.kind {
                s.plain = false;
            }
        }
        Some(SetValue {
            path: SetValue::split_key(key.value.as_str()?),
            file: self.file.clone(),
            key_span: key.key.span.to(key.value.span),
            value,
        })
    }
}
