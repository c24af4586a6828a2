//! Flux Kustomizations in a lint run: the directories they apply without a kustomization are
//! linted as Flux builds them (every manifest below, with the Kustomization's patches, name
//! affixes, annotations and `postBuild` variables), when those change the objects.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::frontends::discover::Input;
use crate::frontends::gitops::flux::{plans, FluxPlans};
use crate::frontends::kustomize::model::{kustomization_file, normalize};
use crate::frontends::kustomize::Plan;

/// A directory Flux builds without a kustomization: its path, its display, and the manifests
/// (path, display) Flux collects there.
pub(crate) type FluxDir = (PathBuf, String, Vec<(PathBuf, String)>);

/// The Flux plans of a run and the plain directories linted as Flux builds.
pub(crate) struct FluxRun {
    pub(crate) plans: FluxPlans,
    pub(crate) dirs: Vec<FluxDir>,
    consumed: HashSet<PathBuf>,
    pub(crate) roots: Vec<PathBuf>,
}

impl FluxRun {
    pub(crate) fn new(inputs: &[Input], plan: &Plan, paths: &[PathBuf], max_size: u64) -> FluxRun {
        let roots = roots_of(paths);
        let plans = plans(inputs, max_size, &|d| plan.is_unit(d), &roots);
        let built: Vec<&PathBuf> = plans
            .dirs
            .iter()
            .filter(|(d, a)| a.changes_objects() && !plan.is_unit(d))
            .map(|(d, _)| d)
            .collect();
        let mut dirs: Vec<FluxDir> = built
            .iter()
            .map(|d| ((*d).clone(), String::new(), Vec::new()))
            .collect();
        let mut consumed = HashSet::new();
        for input in inputs {
            let Input::File { path, display } = input else {
                continue;
            };
            let is_yaml = path.extension().is_some_and(|e| e == "yaml" || e == "yml");
            if !is_yaml || plan.consumes(path) {
                continue;
            }
            let file = normalize(path);
            // The deepest directory applied wins; a kustomization below it is its own unit.
            let Some(i) = (0..dirs.len())
                .filter(|&i| file.starts_with(&dirs[i].0) && !under_unit(&file, &dirs[i].0))
                .max_by_key(|&i| dirs[i].0.components().count())
            else {
                continue;
            };
            let entry = &mut dirs[i];
            if entry.1.is_empty() {
                entry.1 = dir_display(&entry.0, &file, display);
            }
            entry.2.push((path.clone(), display.clone()));
            consumed.insert(file);
        }
        dirs.retain(|d| !d.2.is_empty());
        FluxRun {
            plans,
            dirs,
            consumed,
            roots,
        }
    }

    /// Whether a discovered file is read through a Flux build rather than on its own.
    pub(crate) fn consumes(&self, path: &Path) -> bool {
        !self.consumed.is_empty() && self.consumed.contains(&normalize(path))
    }
}

/// Whether a directory between `file` and `dir` (excluded) is a kustomization.
fn under_unit(file: &Path, dir: &Path) -> bool {
    file.parent()
        .into_iter()
        .flat_map(Path::ancestors)
        .take_while(|a| *a != dir && a.starts_with(dir))
        .any(|a| kustomization_file(a).is_some())
}

/// The directory as shown: the file's display without the part below the directory.
fn dir_display(dir: &Path, file: &Path, display: &str) -> String {
    let below = file
        .strip_prefix(dir)
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let mut shown = PathBuf::from(display);
    for _ in below.components() {
        shown.pop();
    }
    match shown.to_string_lossy().as_ref() {
        "" => ".".into(),
        s => s.to_string(),
    }
}

/// The linted trees, canonical (directories; a file's parent).
pub(super) fn roots_of(paths: &[PathBuf]) -> Vec<PathBuf> {
    paths
        .iter()
        .filter_map(|p| {
            let dir = if p.is_dir() {
                p.clone()
            } else {
                p.parent()?.to_path_buf()
            };
            let dir = if dir.as_os_str().is_empty() {
                PathBuf::from(".")
            } else {
                dir
            };
            dir.canonicalize().ok()
        })
        .collect()
}
