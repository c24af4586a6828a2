//! What the value-key rules (IRSA060–IRSA062) share: the chart pack of a chart, and the keys the
//! user wrote in its values (the chart's own `values.yaml` is not the user's to fix).

use std::sync::{Arc, OnceLock};

use crate::facts::ChartInput;
use crate::frontends::release::chartpack::{ChartPack, ChartPacks};
use crate::syntax::source::SourceFile;
use crate::syntax::yaml::{Entry, Node, NodeKind};

/// The built-in chart packs, loaded once.
pub fn packs() -> &'static ChartPacks {
    static PACKS: OnceLock<ChartPacks> = OnceLock::new();
    PACKS.get_or_init(ChartPacks::builtin)
}

/// The pack of a chart, by name.
pub fn pack_for(chart: &ChartInput) -> Option<&'static ChartPack> {
    packs().find(&chart.name)
}

/// One key the user wrote: its path and entry.
pub struct UserKey<'a> {
    pub file: &'a Arc<SourceFile>,
    pub path: Vec<&'a str>,
    pub entry: &'a Entry,
}

/// Every mapping key of the user's values layers, down to `depth` levels (lists not entered).
pub fn user_keys(chart: &ChartInput, depth: usize) -> Vec<UserKey<'_>> {
    let mut out = Vec::new();
    for (file, root) in &chart.values {
        if file.path.starts_with(&chart.dir) && file.file_name() == "values.yaml" {
            continue; // the chart's own defaults
        }
        let mut stack: Vec<(&Node, Vec<&str>)> = vec![(root, Vec::new())];
        while let Some((node, path)) = stack.pop() {
            let NodeKind::Map(entries) = &node.kind else {
                continue;
            };
            for e in entries.iter().rev() {
                let Some(key) = e.key.as_str() else { continue };
                let mut p = path.clone();
                p.push(key);
                if p.len() < depth {
                    stack.push((&e.value, p.clone()));
                }
                out.push(UserKey {
                    file,
                    path: p,
                    entry: e,
                });
            }
        }
    }
    out.sort_by_key(|k| (k.file.display.clone(), k.entry.key.span.start.offset));
    out
}

/// A string that names an IAM role.
pub fn is_role_arn(node: &Node) -> bool {
    node.as_str()
        .is_some_and(|v| v.trim().starts_with("arn:") && v.contains(":role/"))
}

/// Every ServiceAccount key path of a pack (name, create, annotations, role ARN, flags).
pub fn sa_keys(pack: &ChartPack) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for sa in &pack.service_accounts {
        out.push(sa.create.key.clone());
        out.push(sa.name.clone());
        out.push(sa.annotations.clone());
        out.extend(sa.role_arn.clone());
        out.extend(sa.also_requires.iter().map(|f| f.key.clone()));
    }
    out.extend(pack.name_override.clone());
    out.extend(pack.fullname_override.clone());
    out.extend(pack.namespace.clone());
    out
}

/// Keys that differ by letter case or by one edit (insert, delete, substitute, swap).
pub fn near_miss(written: &str, known: &str) -> bool {
    if written == known {
        return false;
    }
    if written.eq_ignore_ascii_case(known) {
        return true;
    }
    if known.len() < 4 {
        return false;
    }
    let (a, b): (Vec<char>, Vec<char>) = (written.chars().collect(), known.chars().collect());
    match a.len() as isize - b.len() as isize {
        0 => {
            let diff: Vec<usize> = (0..a.len()).filter(|&i| a[i] != b[i]).collect();
            diff.len() == 1
                || (diff.len() == 2
                    && diff[1] == diff[0] + 1
                    && a[diff[0]] == b[diff[1]]
                    && a[diff[1]] == b[diff[0]])
        }
        1 => one_deletion(&a, &b),
        -1 => one_deletion(&b, &a),
        _ => false,
    }
}

/// `long` with one character removed is `short`.
fn one_deletion(long: &[char], short: &[char]) -> bool {
    let i = long.iter().zip(short).take_while(|(x, y)| x == y).count();
    long[i + 1..] == short[i..]
}

#[cfg(test)]
mod tests {
    use super::near_miss;

    #[test]
    fn near_misses() {
        assert!(near_miss("serviceAcount", "serviceAccount"));
        assert!(near_miss("ServiceAccount", "serviceAccount"));
        assert!(near_miss("annotation", "annotations"));
        assert!(near_miss("serivceAccount", "serviceAccount"));
        assert!(near_miss("craete", "create"));
        assert!(!near_miss("labels", "create"));
        assert!(!near_miss("image", "name"));
        assert!(!near_miss("serviceAccount", "serviceAccount"));
    }
}
