//! Renaming a unit's objects as kustomize's `namePrefix`/`nameSuffix` does (Argo CD passes an
//! Application's `kustomize.namePrefix` to the build): names, and the pod specs' references to
//! the service accounts it renamed.

use super::{Classified, SaOrigin};
use crate::syntax::yaml::{Node, NodeKind};

impl Classified {
    /// Add `prefix` and `suffix` to every object's name. Returns the `(namespace, new name)` of
    /// the service accounts renamed.
    pub fn apply_name_affixes(&mut self, prefix: &str, suffix: &str) -> Vec<(String, String)> {
        if prefix.is_empty() && suffix.is_empty() {
            return Vec::new();
        }
        let renamed = |name: &str| format!("{prefix}{name}{suffix}");
        let mut accounts = Vec::new();
        for sa in &mut self.service_accounts {
            // eksctl creates its service accounts itself, under the names it is given.
            if sa.origin == SaOrigin::Eksctl {
                continue;
            }
            let old = sa.object.name.clone();
            sa.object.name = renamed(&old);
            set_name(&mut sa.object.node, &sa.object.name);
            accounts.push((sa.object.namespace.clone(), old, sa.object.name.clone()));
        }
        for w in &mut self.workloads {
            w.object.name = renamed(&w.object.name);
            set_name(&mut w.object.node, &w.object.name);
            let ns = w.object.namespace.clone();
            for key in ["serviceAccountName", "serviceAccount"] {
                let Some(node) = get_mut(&mut w.pod_spec, key) else {
                    continue;
                };
                let NodeKind::Scalar(s) = &mut node.kind else {
                    continue;
                };
                if let Some((_, _, new)) = accounts
                    .iter()
                    .find(|(n, old, _)| *n == ns && *old == s.text)
                {
                    s.text = new.clone();
                }
            }
        }
        for o in &mut self.objects {
            o.name = renamed(&o.name);
            set_name(&mut o.node, &o.name);
        }
        accounts
            .into_iter()
            .map(|(ns, _, new)| (ns.unwrap_or_else(|| "default".into()), new))
            .collect()
    }
}

fn get_mut<'a>(node: &'a mut Node, key: &str) -> Option<&'a mut Node> {
    match &mut node.kind {
        NodeKind::Map(entries) => entries
            .iter_mut()
            .find(|e| e.key.scalar().is_some_and(|k| k.text == key))
            .map(|e| &mut e.value),
        _ => None,
    }
}

fn set_name(root: &mut Node, name: &str) {
    let node = get_mut(root, "metadata").and_then(|m| get_mut(m, "name"));
    if let Some(Node {
        kind: NodeKind::Scalar(s),
        ..
    }) = node
    {
        s.text = name.to_string();
    }
}
