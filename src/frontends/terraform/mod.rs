//! Terraform and OpenTofu: `.tf`/`.tofu` module directories evaluated statically, with
//! `terraform.tfvars`/`*.auto.tfvars`, `--var`/`--var-file` and Terragrunt `inputs`, and
//! lowered into the trust policies and Kubernetes manifests they create, so every existing rule applies and findings land on the `.tf` line.
//! Files in JSON syntax (`.tf.json`, `.tofu.json`, `*.tfvars.json`) are lowered to the HCL they
//! stand for first (`json_syntax`), with positions mapped back to the JSON.

pub mod computed;
pub mod eks_addon;
pub mod eval;
pub mod files;
pub mod funcs;
pub mod helm;
pub mod index;
pub mod json_body;
pub mod json_map;
pub mod json_string;
pub mod json_syntax;
pub mod lower;
pub mod lower_root;
pub mod module;
pub mod ops;
pub mod refs;
pub mod reusable;
pub mod sa;
pub mod standin;
pub mod symbolic;
pub mod tam;
pub mod tam_blueprints;
pub mod tam_blueprints_addons;
pub mod tam_blueprints_addons_release;
pub mod tam_blueprints_release;
pub mod tam_iam_role;
pub mod tam_karpenter;
pub mod tam_modules;
pub mod tam_pod_identity;
pub mod templates;
pub mod terragrunt;
pub mod text_doc;
pub mod trust;
pub mod value;
pub mod vars;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::facts::Classified;
use crate::syntax::source::SourceFile;
use crate::syntax::yaml::{Pos, Span};
use module::{is_terraform_file, Ctx, World};
pub use vars::TerraformOptions;

/// Is this a file the Terraform front-end reads?
pub fn is_terraform_path(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let vars = name
        .strip_suffix(".json")
        .unwrap_or(name)
        .ends_with(".tfvars");
    is_terraform_file(name) || vars || name == "terragrunt.hcl"
}

/// What one tree of Terraform produced.
pub struct TfUnit {
    pub files: Vec<Arc<SourceFile>>,
    pub classified: Classified,
    /// Files that are not HCL (or not readable): message and position.
    pub errors: Vec<(Arc<SourceFile>, String, Pos)>,
    pub notes: Vec<(Arc<SourceFile>, Span, String)>,
    /// `helm_release` blocks, resolved by the driver with the other releases.
    pub releases: Vec<crate::facts::release::HelmRelease>,
    /// The variables that the tree's root modules (and Terragrunt units' modules) declare.
    pub declared_vars: BTreeSet<String>,
    /// The parsed modules, freed with the run's result.
    pub retired: crate::syntax::Retired,
    /// Values that a module no root calls took from its variables' defaults: the place and the
    /// variable's name.
    pub defaults: Vec<(Arc<SourceFile>, Span, String)>,
    /// Files that a module passes to `templatefile()` (canonical), reached or not.
    pub templates: Vec<PathBuf>,
    /// Documents used from another file: findings inside `(file, span)` also get the location.
    pub related: Vec<(Arc<SourceFile>, Span, crate::diagnostics::finding::Location)>,
}

/// Evaluate the Terraform files found under `given` paths, one unit per tree. Runs on a thread
/// of its own with a large stack (evaluation is recursive, bounded in depth).
pub fn lint_terraform(
    files: &[PathBuf],
    given: &[PathBuf],
    max_file_size: u64,
    opts: &TerraformOptions,
) -> Vec<TfUnit> {
    if files.is_empty() {
        return Vec::new();
    }
    let explicit: Vec<PathBuf> = given
        .iter()
        .filter(|p| p.is_file())
        .filter_map(|p| p.canonicalize().ok())
        .collect();
    let roots: Vec<PathBuf> = given
        .iter()
        .filter_map(|p| p.canonicalize().ok())
        .map(|p| {
            if p.is_file() {
                p.parent().map(Path::to_path_buf).unwrap_or(p)
            } else {
                p
            }
        })
        .collect();
    let mut trees: BTreeMap<PathBuf, Vec<PathBuf>> = BTreeMap::new();
    for f in files {
        let Ok(c) = f.canonicalize() else { continue };
        let root = roots
            .iter()
            .filter(|r| c.starts_with(r))
            .max_by_key(|r| r.as_os_str().len())
            .cloned()
            .unwrap_or_else(|| c.parent().map(Path::to_path_buf).unwrap_or_default());
        trees.entry(root).or_default().push(c);
    }
    std::thread::scope(|s| {
        std::thread::Builder::new()
            .name("terraform".into())
            .stack_size(64 << 20)
            .spawn_scoped(s, || {
                trees
                    .into_iter()
                    .map(|(root, files)| lint_tree(root, &files, &explicit, max_file_size, opts))
                    .collect()
            })
            .ok()
            .and_then(|h| h.join().ok())
            .unwrap_or_default()
    })
}

fn lint_tree(
    root: PathBuf,
    files: &[PathBuf],
    explicit: &[PathBuf],
    max_file_size: u64,
    opts: &TerraformOptions,
) -> TfUnit {
    let mut world = World::new(root, max_file_size);
    world.explicit = explicit.to_vec();
    let world = world;
    let mut dirs: BTreeSet<PathBuf> = BTreeSet::new();
    let mut terragrunt_configs = Vec::new();
    for f in files {
        let name = f.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if is_terraform_file(name) {
            dirs.extend(f.parent().map(Path::to_path_buf));
        } else if name == "terragrunt.hcl" || module::is_tfvars_file(name) {
            // The tfvars Terraform loads itself, and terragrunt.hcl: their syntax is checked
            // here. Other `*.tfvars` (Terraspace's ERB layers, `prod.tfvars` for a -var-file
            // not given) are no variable files of this run: read only when passed (`--var-file`).
            world.parse_file(f, world.display(f));
            if name == "terragrunt.hcl" {
                terragrunt_configs.push(f.clone());
            }
        }
    }
    let mut lowered = lower::Lowered::default();
    let units = terragrunt::units(&world, &terragrunt_configs, &mut lowered.notes);
    // Directories called as local modules by another are evaluated through their callers.
    let mut called: HashMap<PathBuf, Vec<PathBuf>> = HashMap::new();
    let mut templates = Vec::new();
    for dir in &dirs {
        let loaded = world.load(dir);
        let bodies = loaded.bodies.iter().map(|(_, b)| b);
        templates.extend(templates::templatefile_paths(&world, dir, bodies));
        for (_, body) in &loaded.bodies {
            for b in body.blocks().filter(|b| b.ident.as_str() == "module") {
                let src = b.body.get_attribute("source").and_then(|a| match &a.value {
                    hcl_edit::expr::Expression::String(s) => Some(s.value().clone()),
                    _ => None,
                });
                let Some(src) = src.filter(|s| s.starts_with("./") || s.starts_with("../")) else {
                    continue;
                };
                if let Some(child) = world.inside(dir, &src).filter(|c| c != dir) {
                    called.entry(dir.clone()).or_default().push(child);
                }
            }
        }
    }
    let children: BTreeSet<&PathBuf> = called.values().flatten().collect();
    let mut roots: Vec<PathBuf> = dirs
        .iter()
        .filter(|d| !children.contains(d))
        .cloned()
        .collect();
    let mut reached: BTreeSet<PathBuf> = BTreeSet::new();
    let mut todo = roots.clone();
    while let Some(d) = todo.pop() {
        if reached.insert(d.clone()) {
            todo.extend(called.get(&d).into_iter().flatten().cloned());
        }
    }
    // Members of a cycle of modules that no root calls are evaluated on their own.
    roots.extend(dirs.iter().filter(|d| !reached.contains(*d)).cloned());
    // A module that Terragrunt units run is evaluated once per unit, with its inputs.
    roots.retain(|d| !units.iter().any(|u| &u.module == d));
    // Directories no root calls are evaluated alone; Terragrunt units' modules with inputs.
    let runs = roots
        .into_iter()
        .map(|d| (d, HashMap::new(), true))
        .chain(units.into_iter().map(|u| (u.module, u.inputs, false)));
    let mut declared_vars = BTreeSet::new();
    for (run, (dir, inputs, alone)) in runs.enumerate() {
        let ix_names = lower_run(&world, opts, (run, &dir, alone), inputs, &mut lowered);
        declared_vars.extend(ix_names);
    }
    let errors = world.errors();
    lowered.notes.extend(world.take_notes());
    lowered.related.extend(world.take_related());
    let notes = lowered
        .notes
        .into_iter()
        .map(|n| (world.files.get(n.file), n.span, n.message))
        .collect();
    let related = related_of(&world, lowered.related);
    let defaults = lowered
        .defaults
        .into_iter()
        .map(|(f, span, name)| (world.files.get(f), span, name))
        .collect();
    let files = world.files.all();
    let mut retired = crate::syntax::Retired::default();
    retired.keep(world);
    TfUnit {
        files,
        classified: lowered.classified,
        releases: lowered.releases,
        errors,
        notes,
        declared_vars,
        retired,
        defaults,
        templates,
        related,
    }
}

fn related_of(
    world: &World,
    related: Vec<lower::Related>,
) -> Vec<(Arc<SourceFile>, Span, crate::diagnostics::finding::Location)> {
    related
        .into_iter()
        .map(|r| {
            let user = world.files.get(r.user_file);
            let at = crate::diagnostics::finding::Location::new(&user, r.user);
            (world.files.get(r.file), r.span, at.with_message(r.message))
        })
        .collect()
}

/// Lower one root module run (`run`-th of the tree, in `dir`, `alone` when no root calls it);
/// returns the variables it declares.
fn lower_run(
    world: &World,
    opts: &TerraformOptions,
    (run, dir, alone): (usize, &Path, bool),
    inputs: HashMap<String, value::Value>,
    lowered: &mut lower::Lowered,
) -> Vec<String> {
    let loaded = world.load(dir);
    let ix = index::Index::build(&loaded.bodies);
    let ctx = Ctx {
        world,
        dir: dir.to_path_buf(),
        stack: Vec::new(),
        address: String::new(),
        terragrunt: None,
    };
    let vars = vars::root_vars(world, &ctx, &ix, dir, opts, inputs);
    let (associations, defaults) = (
        lowered.classified.pod_identity_associations.len(),
        lowered.defaults.len(),
    );
    lower_root::lower_root(&ix, vars, &ctx, lowered);
    // A cluster name known only at apply time is this run's cluster, no other's.
    let scope = format!("{run}:{}", dir.display());
    for a in &mut lowered.classified.pod_identity_associations[associations..] {
        if a.cluster().is_none() {
            a.cluster_scope = Some(scope.clone());
        }
    }
    // Defaults are what is deployed in a root module; a reusable module's callers set them.
    if !(alone && reusable::is_reusable_module(dir, &loaded.bodies)) {
        lowered.defaults.truncate(defaults);
    }
    ix.variable_names().collect()
}

/// Evaluate one `.tf` text that is not on disk, as a root module of its own with nothing
/// around it (no other files, modules or templates can be read): for the fuzz target.
pub fn lint_text(text: &str) -> TfUnit {
    lint_text_as("main.tf", text)
}

/// [`lint_text`] for a file named `name` (`main.tf.json` reads the text as JSON syntax).
pub fn lint_text_as(name: &str, text: &str) -> TfUnit {
    let root = PathBuf::from("/nonexistent/kubectl-irsa-terraform-text");
    let world = World::new(root.clone(), u64::MAX);
    let mut lowered = lower::Lowered::default();
    let mut declared_vars = BTreeSet::new();
    let parsed = world.parse_source(SourceFile::new(root.join(name), name, text));
    if let Some((id, body)) = parsed {
        world.insert(&root, vec![(id, body)]);
        let loaded = world.load(&root);
        let ix = index::Index::build(&loaded.bodies);
        let ctx = Ctx {
            world: &world,
            dir: root.clone(),
            stack: Vec::new(),
            address: String::new(),
            terragrunt: None,
        };
        declared_vars.extend(ix.variable_names());
        let ev = eval::Eval::new(&world.files, &ix, HashMap::new(), &ctx);
        lower::lower_module(&ev, &mut lowered);
    }
    let file = world.files.get(0);
    let errors = world.errors();
    lowered.notes.extend(world.take_notes());
    lowered.related.extend(world.take_related());
    TfUnit {
        errors,
        notes: lowered
            .notes
            .into_iter()
            .map(|n| (file.clone(), n.span, n.message))
            .collect(),
        files: world.files.all(),
        classified: lowered.classified,
        releases: lowered.releases,
        declared_vars,
        retired: crate::syntax::Retired::default(),
        defaults: Vec::new(),
        templates: Vec::new(),
        related: related_of(&world, lowered.related),
    }
}

#[cfg(test)]
mod tests;
