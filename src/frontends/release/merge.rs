//! A release's values as layers of span-carrying trees, and helm's precedence over them.

use std::sync::Arc;

use crate::facts::release::{HelmRelease, SetValue};
use crate::syntax::source::SourceFile;
use crate::syntax::yaml::{Entry, Node, NodeKind, Scalar};

/// The release's values layers (mappings only), then its `set` overrides as synthesized trees:
/// each key node carries the span of the `set` key, each value is the user's value node. A run of
/// `set` entries from one file makes one layer.
pub fn user_layers(release: &HelmRelease) -> Vec<(Arc<SourceFile>, Node)> {
    let mut out: Vec<(Arc<SourceFile>, Node)> = release
        .values
        .iter()
        .filter(|l| l.root.as_map().is_some())
        .map(|l| (l.file.clone(), l.root.clone()))
        .collect();
    let mut current: Option<(Arc<SourceFile>, Node)> = None;
    for set in &release.set {
        if set.path.is_empty() || set.path.iter().any(String::is_empty) {
            continue;
        }
        let same = current
            .as_ref()
            .is_some_and(|(f, _)| f.display == set.file.display);
        if !same {
            out.extend(current.take());
            current = Some((set.file.clone(), empty_map(set)));
        }
        if let Some((_, root)) = current.as_mut() {
            insert(root, set);
        }
    }
    out.extend(current);
    out
}

fn empty_map(set: &SetValue) -> Node {
    Node {
        kind: NodeKind::Map(Vec::new()),
        span: set.key_span,
    }
}

/// Put `set` into `root` (later sets replace earlier ones at the same path).
fn insert(root: &mut Node, set: &SetValue) {
    let mut node = root;
    for (i, segment) in set.path.iter().enumerate() {
        let last = i + 1 == set.path.len();
        if node.as_map().is_none() {
            *node = empty_map(set);
        }
        let NodeKind::Map(entries) = &mut node.kind else {
            return;
        };
        let at = match entries.iter().position(|e| e.key.as_str() == Some(segment)) {
            Some(at) => at,
            None => {
                entries.push(Entry {
                    key: Node {
                        kind: NodeKind::Scalar(Scalar {
                            text: segment.clone(),
                            plain: false,
                        }),
                        span: set.key_span,
                    },
                    value: empty_map(set),
                });
                entries.len() - 1
            }
        };
        if last {
            entries[at].value = set.value.clone();
            return;
        }
        node = &mut entries[at].value;
    }
}

/// The winning entry for a key path: the highest-precedence layer that sets it.
#[derive(Debug, Clone)]
pub struct Hit<'a> {
    pub file: &'a Arc<SourceFile>,
    pub entry: &'a Entry,
}

/// Look `path` up in `layers` (lowest precedence first), as helm's merge would resolve it.
pub fn lookup<'a>(layers: &'a [(Arc<SourceFile>, Node)], path: &[&str]) -> Option<Hit<'a>> {
    let (last, parents) = path.split_last()?;
    layers.iter().rev().find_map(|(file, root)| {
        let parent = root.path(parents)?;
        let entry = parent.entry(last)?;
        Some(Hit { file, entry })
    })
}

/// The merged mapping at `path`: entries from every layer, higher layers winning per key.
pub fn merged_map<'a>(
    layers: &'a [(Arc<SourceFile>, Node)],
    path: &[&str],
) -> Vec<(&'a Arc<SourceFile>, &'a Entry)> {
    let mut out: Vec<(&Arc<SourceFile>, &Entry)> = Vec::new();
    for (file, root) in layers {
        let Some(map) = root.path(path).and_then(Node::as_map) else {
            continue;
        };
        for e in map {
            let key = e.key.as_str();
            match out.iter_mut().find(|(_, o)| o.key.as_str() == key) {
                Some(slot) => *slot = (file, e),
                None => out.push((file, e)),
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::finding::ObjectRef;
    use crate::facts::release::{ChartSource, Place, ReleaseOrigin, Setting, ValuesLayer};
    use crate::syntax::yaml::parse;

    fn release(values: &str, sets: &[(&str, &str)]) -> HelmRelease {
        let file = Arc::new(SourceFile::new("v.yaml", "v.yaml", values));
        let root = parse(&file.text).documents.remove(0).root;
        let setfile = Arc::new(SourceFile::new("main.tf", "main.tf", "x = 1"));
        let place = Place::new(&setfile, root.span);
        HelmRelease {
            origin: ReleaseOrigin {
                place: place.clone(),
                object: ObjectRef::new("helm_release", None, "x"),
                frontend: "test",
            },
            release_name: Setting::written("r", place.clone()),
            namespace: Setting::default("default", "helm's default"),
            chart: ChartSource::Remote {
                repo: None,
                name: "c".into(),
                version: None,
                place: None,
            },
            values: vec![ValuesLayer { file, root }],
            set: sets
                .iter()
                .map(|(k, v)| SetValue {
                    path: SetValue::split_key(k),
                    file: setfile.clone(),
                    key_span: place.span,
                    value: Node {
                        kind: NodeKind::Scalar(Scalar {
                            text: v.to_string(),
                            plain: false,
                        }),
                        span: place.span,
                    },
                })
                .collect(),
            unknown_values: Vec::new(),
        }
    }

    #[test]
    fn set_overrides_values_and_later_sets_win() {
        let r = release(
            "serviceAccount:\n  name: from-values\n  create: true\n",
            &[
                ("serviceAccount.name", "one"),
                ("serviceAccount.name", "two"),
            ],
        );
        let layers = user_layers(&r);
        assert_eq!(layers.len(), 2);
        let hit = lookup(&layers, &["serviceAccount", "name"]).unwrap();
        assert_eq!(hit.entry.value.as_str(), Some("two"));
        assert_eq!(hit.file.display, "main.tf");
        let create = lookup(&layers, &["serviceAccount", "create"]).unwrap();
        assert_eq!(create.file.display, "v.yaml");
        let json = layers[1].1.to_json().to_string();
        assert_eq!(json, r#"{"serviceAccount":{"name":"two"}}"#);
    }

    #[test]
    fn merged_maps_keep_keys_of_every_layer() {
        let r = release(
            "sa:\n  annotations:\n    a: \"1\"\n    b: \"2\"\n",
            &[("sa.annotations.b", "3")],
        );
        let layers = user_layers(&r);
        let merged = merged_map(&layers, &["sa", "annotations"]);
        let view: Vec<_> = merged
            .iter()
            .map(|(f, e)| (f.display.as_str(), e.value.as_str().unwrap()))
            .collect();
        assert_eq!(view, vec![("v.yaml", "1"), ("main.tf", "3")]);
    }
}
