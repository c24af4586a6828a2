//! App-of-apps in a lint run: a chart of the tree that renders Argo CD Applications (installed by
//! a release, or linted on its own) is rendered here first, and the releases and directory
//! targets its Applications declare join those read from files, before any is resolved; their
//! charts are followed in turn (`frontends::gitops::argocd::app_of_apps`: depth limit, cycles).

use std::collections::{HashSet, VecDeque};
use std::path::PathBuf;
use std::sync::Arc;

use super::releases::Releases;
use super::LintOptions;
use crate::facts::release::HelmRelease;
use crate::frontends::discover::Input;
use crate::frontends::gitops::argocd::app_of_apps::{
    local_chart, rendered, renders_applications, Nested,
};
use crate::frontends::gitops::argocd::Read;
use crate::frontends::release::chartpack::ChartPacks;
use crate::frontends::release::{resolve, ResolveOptions};
use crate::syntax::source::SourceFile;

/// Charts rendered here at most in one run (each Application of a chart may install another).
const MAX_RENDERS: usize = 200;

/// A chart linted on its own that renders Applications, rendered with the CLI's helm flags.
struct Root {
    chart: PathBuf,
    files: Vec<Arc<SourceFile>>,
    read: Read,
    nested: Vec<Nested>,
}

/// Follow every app-of-apps chart among the releases (`also`: Terraform's) and the inputs.
/// A chart that another chart's Application installs is followed from there (with that
/// Application's values), not as a root.
pub(super) fn follow(
    inputs: &[Input],
    releases: &mut Releases,
    also: &[HelmRelease],
    opts: &LintOptions,
) {
    let mut reached: HashSet<PathBuf> = releases
        .releases
        .iter()
        .chain(also)
        .filter_map(local_chart)
        .collect();
    let mut queue: VecDeque<Nested> = releases
        .releases
        .iter()
        .chain(also)
        .filter(|r| local_chart(r).is_some_and(|d| renders_applications(&d)))
        .map(|r| Nested {
            release: r.clone(),
            lineage: Vec::new(),
            follow: true,
        })
        .collect();
    let mut roots = standalone(inputs, &reached, releases.roots(), opts);
    let claimed: HashSet<PathBuf> = roots
        .iter()
        .flat_map(|r| {
            let others = r.nested.iter().filter_map(|n| local_chart(&n.release));
            others.filter(|c| c != &r.chart).collect::<Vec<_>>()
        })
        .collect();
    if queue.is_empty() && roots.is_empty() {
        return;
    }
    let packs = ChartPacks::builtin();
    let resolve_opts = ResolveOptions {
        helm: &opts.helm,
        packs: &packs,
    };
    let mut renders = 0;
    loop {
        renders += drain(releases, &mut queue, &mut reached, &resolve_opts, renders);
        // Roots no other chart installs first; then one of a cycle that nothing else reached.
        let next = roots
            .iter()
            .position(|r| !claimed.contains(&r.chart) && !reached.contains(&r.chart))
            .or_else(|| roots.iter().position(|r| !reached.contains(&r.chart)));
        let Some(i) = next else { break };
        let root = roots.remove(i);
        reached.insert(root.chart.clone());
        add(releases, root.read, &root.files, root.nested, &mut queue);
    }
}

/// The charts of the inputs that no release installs and that render Applications.
fn standalone(
    inputs: &[Input],
    installed: &HashSet<PathBuf>,
    roots: &[PathBuf],
    opts: &LintOptions,
) -> Vec<Root> {
    let mut out = Vec::new();
    for input in inputs {
        let Input::Chart { dir, display } = input else {
            continue;
        };
        let Ok(chart) = dir.canonicalize() else {
            continue;
        };
        if installed.contains(&chart) || !renders_applications(&chart) {
            continue;
        }
        let lint = crate::frontends::helm::lint_chart(dir, display, &opts.helm);
        let files: Vec<Arc<SourceFile>> = lint.rendered.into_iter().map(|(f, _)| f).collect();
        let (read, nested) = rendered(&files, &chart, &[], roots);
        out.push(Root {
            chart,
            files,
            read,
            nested,
        });
    }
    out
}

/// Render the queued app-of-apps charts with their releases' values; returns how many.
fn drain(
    releases: &mut Releases,
    queue: &mut VecDeque<Nested>,
    reached: &mut HashSet<PathBuf>,
    opts: &ResolveOptions,
    done: usize,
) -> usize {
    let mut renders = 0;
    while let Some(item) = queue.pop_front() {
        let Some(chart) = local_chart(&item.release) else {
            continue;
        };
        if done + renders >= MAX_RENDERS {
            break;
        }
        renders += 1;
        reached.insert(chart.clone());
        let resolved = resolve(&item.release, opts);
        let files: Vec<Arc<SourceFile>> = resolved.classified.into_iter().map(|(f, _)| f).collect();
        let roots = releases.roots().to_vec();
        let (read, nested) = rendered(&files, &chart, &item.lineage, &roots);
        add(releases, read, &files, nested, queue);
    }
    renders
}

/// What one rendered chart declared joins the run's releases; its app-of-apps charts are queued.
fn add(
    releases: &mut Releases,
    read: Read,
    files: &[Arc<SourceFile>],
    nested: Vec<Nested>,
    queue: &mut VecDeque<Nested>,
) {
    let declared = !nested.is_empty() || !read.findings.is_empty() || !read.targets.is_empty();
    if declared {
        releases.rendered.extend(files.iter().cloned());
    }
    releases.findings.extend(read.findings);
    releases.files.extend(read.files);
    releases.targets.extend(read.targets);
    for n in nested {
        releases.releases.push(n.release.clone());
        if n.follow {
            queue.push_back(n);
        }
    }
}
