//! Namespace targets in a lint run: the objects of a directory or kustomize unit that a Flux
//! Kustomization or an Argo CD Application applies are placed in its namespace before the rules
//! run, and findings about their service accounts point at the line that chose it.

use std::path::Path;
use std::sync::Mutex;

use super::releases::Provenance;
use crate::facts::release::NamespaceTarget;
use crate::facts::Classified;

/// The targets of a run, and the service accounts they placed.
#[derive(Default)]
pub struct Targets {
    list: Vec<NamespaceTarget>,
    placed: Mutex<Vec<Provenance>>,
}

impl Targets {
    pub fn new(list: Vec<NamespaceTarget>) -> Targets {
        Targets {
            list,
            placed: Mutex::new(Vec::new()),
        }
    }

    /// Place the objects of a file of the tree (a directory source, or a Flux path without a
    /// kustomization, whose manifests kustomize-controller collects recursively).
    pub fn apply_to_file(&self, path: &Path, classified: &mut Classified) {
        if self.list.is_empty() {
            return;
        }
        let Some(dir) = path
            .canonicalize()
            .ok()
            .and_then(|p| p.parent().map(Path::to_path_buf))
        else {
            return;
        };
        let target = self
            .list
            .iter()
            .filter(|t| t.dir == dir || (t.recurse && dir.starts_with(&t.dir)))
            .max_by_key(|t| t.dir.as_os_str().len());
        if let Some(t) = target {
            self.apply(t, classified);
        }
    }

    /// Place the objects a kustomize unit builds.
    pub fn apply_to_unit(&self, dir: &Path, classified: &mut Classified) {
        if self.list.is_empty() {
            return;
        }
        let Ok(dir) = dir.canonicalize() else { return };
        if let Some(t) = self.list.iter().find(|t| t.dir == dir) {
            self.apply(t, classified);
        }
    }

    fn apply(&self, t: &NamespaceTarget, classified: &mut Classified) {
        let renamed = match &t.name_affixes {
            Some(a) => classified.apply_name_affixes(&a.prefix, &a.suffix),
            None => Vec::new(),
        };
        let placed = classified.apply_namespace(&t.namespace.value, t.force);
        if let Some(a) = t.name_affixes.as_ref().filter(|_| !renamed.is_empty()) {
            let object = format!("{} `{}`", t.origin.object.kind, t.origin.object.name);
            let how = match (a.prefix.is_empty(), a.suffix.is_empty()) {
                (false, true) => format!("prefix `{}`", a.prefix),
                (true, false) => format!("suffix `{}`", a.suffix),
                _ => format!("prefix `{}` and suffix `{}`", a.prefix, a.suffix),
            };
            let related = vec![a.place.location().with_message(format!(
                "{} {object} adds the name {how} to every object it applies here",
                t.origin.frontend
            ))];
            if let Ok(mut all) = self.placed.lock() {
                for sa in &classified.service_accounts {
                    if renamed.iter().any(|(_, n)| *n == sa.object.name) {
                        all.push(Provenance {
                            namespace: sa.object.effective_namespace("default"),
                            name: sa.object.name.clone(),
                            related: related.clone(),
                        });
                    }
                }
            }
        }
        if placed.is_empty() {
            return;
        }
        let how = if t.force {
            "every object it applies"
        } else {
            "the objects that name no namespace"
        };
        let object = format!("{} `{}`", t.origin.object.kind, t.origin.object.name);
        let mut related = Vec::new();
        if let Some(p) = &t.namespace.place {
            related.push(p.location().with_message(format!(
                "{} {object} puts {how} in namespace `{}` here",
                t.origin.frontend, t.namespace.value
            )));
        }
        let Ok(mut all) = self.placed.lock() else {
            return;
        };
        for (namespace, name) in placed {
            all.push(Provenance {
                namespace,
                name,
                related: related.clone(),
            });
        }
    }

    /// Where each placed service account got its namespace.
    pub fn into_provenance(self) -> Vec<Provenance> {
        self.placed.into_inner().unwrap_or_default()
    }
}
