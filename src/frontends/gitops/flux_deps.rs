//! `spec.dependsOn` between Flux Kustomizations: a cycle means none of them is ever applied
//! (each waits for another to be ready), so what they would deploy never reaches the cluster.
//! Found with a depth-first walk that visits each object once: never a hang.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::diagnostics::finding::{Finding, Location};
use crate::diagnostics::input::KustomizationError;
use crate::syntax::source::SourceFile;
use crate::syntax::yaml::Node;

/// One Flux Kustomization's identity and the ones it depends on, with their lines.
pub struct DependsOn {
    pub file: Arc<SourceFile>,
    /// `(namespace, name)`; the namespace defaults to `flux-system` only for display.
    pub id: (String, String),
    pub needs: Vec<((String, String), crate::syntax::yaml::Span)>,
}

impl DependsOn {
    pub fn read(file: &Arc<SourceFile>, doc: &Node) -> Option<DependsOn> {
        let name = doc.str_at(&["metadata", "name"])?.to_string();
        let namespace = doc
            .str_at(&["metadata", "namespace"])
            .unwrap_or("")
            .to_string();
        let needs = doc
            .path(&["spec", "dependsOn"])
            .and_then(Node::as_seq)
            .unwrap_or_default()
            .iter()
            .filter_map(|d| {
                let dep_name = d.str_at(&["name"])?.to_string();
                let dep_ns = d.str_at(&["namespace"]).unwrap_or(&namespace).to_string();
                Some(((dep_ns, dep_name), d.span))
            })
            .collect();
        Some(DependsOn {
            file: file.clone(),
            id: (namespace, name),
            needs,
        })
    }
}

/// One warning per `dependsOn` cycle, at the entry that closes it.
pub fn cycles(all: &[DependsOn]) -> Vec<Finding> {
    let index: BTreeMap<&(String, String), usize> =
        all.iter().enumerate().map(|(i, d)| (&d.id, i)).collect();
    // 0 unvisited, 1 on the path, 2 done.
    let mut state = vec![0u8; all.len()];
    let mut out = Vec::new();
    for start in 0..all.len() {
        if state[start] != 0 {
            continue;
        }
        // An explicit stack of (node, next edge): no recursion depth to exhaust.
        let mut stack = vec![(start, 0usize)];
        state[start] = 1;
        while let Some((node, edge)) = stack.last_mut() {
            let (node, at) = (*node, *edge);
            let Some((dep, span)) = all[node].needs.get(at) else {
                state[node] = 2;
                stack.pop();
                continue;
            };
            *edge += 1;
            let Some(&next) = index.get(dep) else {
                continue;
            };
            match state[next] {
                0 => {
                    state[next] = 1;
                    stack.push((next, 0));
                }
                1 => {
                    let from = stack.iter().position(|(n, _)| *n == next).unwrap_or(0);
                    let names: Vec<&str> = stack[from..]
                        .iter()
                        .map(|(n, _)| all[*n].id.1.as_str())
                        .chain([all[next].id.1.as_str()])
                        .collect();
                    out.push(
                        Finding::new(
                            &KustomizationError::META,
                            format!(
                                "Flux Kustomizations depend on each other in a cycle ({}): Flux applies none of them, so nothing they deploy reaches the cluster",
                                names.join(" → ")
                            ),
                        )
                        .at(Location::new(&all[node].file, *span)),
                    );
                }
                _ => {}
            }
        }
    }
    out
}
