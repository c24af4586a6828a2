//! Terragrunt units: a `terragrunt.hcl` whose `inputs` set the variables of the module it runs
//! (its `terraform { source }`, or the `.tf` files beside it). Included configurations
//! (`include { path = find_in_parent_folders(…) }`) contribute their `inputs` and `source`
//! with Terragrunt's merge strategies (`shallow`, the default; `deep`; `no_merge`).
//!
//! Only local sources inside the tree are read (`../modules//app`, with `//` marking the module's
//! subdirectory). Remote sources (`git::`, `tfr://`, registry) are opaque and said to be.
//! `dependency.*.outputs` and anything else not known offline stay unknown.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::eval::Eval;
use super::index::Index;
use super::lower::Note;
use super::module::{Ctx, World};
use super::value::{FileId, Kind, Value};

/// Included configurations nested deeper than this are not read.
const MAX_INCLUDE_DEPTH: usize = 4;

/// One Terragrunt unit, ready to evaluate its module with its inputs.
pub struct Unit {
    /// The directory of the unit's `terragrunt.hcl`.
    pub dir: PathBuf,
    /// The module it runs (canonical, inside the tree).
    pub module: PathBuf,
    /// `inputs`, merged over the included configurations.
    pub inputs: HashMap<String, Value>,
}

/// What one configuration file says (its includes already merged in).
#[derive(Default)]
struct Config {
    inputs: Option<Value>,
    source: Option<Value>,
}

/// The units among `configs` (canonical paths of `terragrunt.hcl` files). A file that is only
/// included by others (a root `terragrunt.hcl` with no module of its own) is not a unit.
pub fn units(world: &World, configs: &[PathBuf], notes: &mut Vec<Note>) -> Vec<Unit> {
    let mut out = Vec::new();
    for path in configs {
        let Some(unit_dir) = path.parent().map(Path::to_path_buf) else {
            continue;
        };
        let mut stack = Vec::new();
        let Some(config) = read(world, path, &unit_dir, &mut stack, notes) else {
            continue;
        };
        let module = match &config.source {
            Some(source) => match local_module(world, source, &unit_dir) {
                Ok(dir) => dir,
                Err(message) => {
                    notes.push(Note {
                        file: source.file,
                        span: source.span,
                        message,
                    });
                    continue;
                }
            },
            None if has_terraform_files(&unit_dir) => unit_dir.clone(),
            // Only included by others, or a unit with nothing to run.
            None => continue,
        };
        let inputs = config
            .inputs
            .as_ref()
            .and_then(Value::as_map)
            .map(|entries| {
                entries
                    .iter()
                    .filter_map(|(k, v)| Some((k.as_str()?.to_string(), v.clone())))
                    .collect()
            })
            .unwrap_or_default();
        out.push(Unit {
            dir: unit_dir,
            module,
            inputs,
        });
    }
    out
}

/// Read one configuration and the ones it includes.
fn read(
    world: &World,
    path: &Path,
    unit_dir: &Path,
    stack: &mut Vec<PathBuf>,
    notes: &mut Vec<Note>,
) -> Option<Config> {
    if stack.len() > MAX_INCLUDE_DEPTH || stack.iter().any(|p| p == path) {
        return None;
    }
    let (f, body) = super::vars::parse_once(world, path)?;
    stack.push(path.to_path_buf());
    let bodies = vec![(f, body)];
    let ix = Index::build(&bodies);
    let ctx = Ctx {
        world,
        dir: path.parent()?.to_path_buf(),
        stack: Vec::new(),
        address: String::new(),
        terragrunt: Some(unit_dir.to_path_buf()),
    };
    let ev = Eval::new(&world.files, &ix, HashMap::new(), &ctx);
    let body = &bodies[0].1;
    let mut merged = Config::default();
    // The child's own inputs merge deep when any include asks for it (Terragrunt applies the
    // strategy per include, and they rarely differ).
    let mut deep = false;
    for include in body.blocks().filter(|b| b.ident.as_str() == "include") {
        let strategy = include
            .body
            .get_attribute("merge_strategy")
            .and_then(|a| ev.eval(&a.value, f).as_str().map(str::to_string))
            .unwrap_or_else(|| "shallow".into());
        deep |= strategy == "deep";
        let Some(attr) = include.body.get_attribute("path") else {
            continue;
        };
        let target = ev.eval(&attr.value, f);
        let resolved = target
            .as_str()
            .and_then(|p| world.inside(ctx.dir.as_path(), p))
            .filter(|p| p.is_file());
        let Some(parent) = resolved else {
            notes.push(Note {
                file: f,
                span: target.span,
                message: format!(
                    "the Terragrunt include `{}` is not a file in the tree; its inputs are not applied",
                    target.describe()
                ),
            });
            continue;
        };
        if strategy == "no_merge" {
            continue;
        }
        if let Some(parent) = read(world, &parent, unit_dir, stack, notes) {
            merged.inputs = merge(merged.inputs, parent.inputs, strategy == "deep");
            merged.source = parent.source.or(merged.source);
        }
    }
    let inputs = body.get_attribute("inputs").map(|a| ev.eval(&a.value, f));
    let source = body
        .blocks()
        .filter(|b| b.ident.as_str() == "terraform")
        .find_map(|b| b.body.get_attribute("source"))
        .map(|a| ev.eval(&a.value, f));
    stack.pop();
    Some(Config {
        inputs: merge(merged.inputs, inputs, deep),
        source: source.or(merged.source),
    })
}

/// `child` over `parent`: top-level keys replaced (shallow), or maps merged recursively and
/// lists concatenated (deep).
fn merge(parent: Option<Value>, child: Option<Value>, deep: bool) -> Option<Value> {
    match (parent, child) {
        (None, c) => c,
        (p, None) => p,
        (Some(p), Some(c)) => Some(merge_values(p, c, deep, true)),
    }
}

fn merge_values(parent: Value, child: Value, deep: bool, top: bool) -> Value {
    match (parent.kind, child.kind) {
        (Kind::Map(mut entries), Kind::Map(over)) if top || deep => {
            for (k, v) in over {
                match entries.iter().position(|(pk, _)| pk.as_str() == k.as_str()) {
                    Some(i) if deep => {
                        let old = entries.remove(i).1;
                        entries.insert(i, (k, merge_values(old, v, deep, false)));
                    }
                    Some(i) => entries[i] = (k, v),
                    None => entries.push((k, v)),
                }
            }
            Value::new(Kind::Map(entries), child.span, child.file)
        }
        (Kind::List(mut items), Kind::List(more)) if deep && !top => {
            items.extend(more);
            Value::new(Kind::List(items), child.span, child.file)
        }
        (_, kind) => Value::new(kind, child.span, child.file),
    }
}

/// The module directory of a local `source`, or why it is not read.
fn local_module(world: &World, source: &Value, unit_dir: &Path) -> Result<PathBuf, String> {
    let Some(text) = source.as_str() else {
        return Err(format!(
            "the Terragrunt source `{}` is not known offline; the unit's module is not checked",
            source.describe()
        ));
    };
    let remote = text.contains("::") || text.contains("://") || text.starts_with("github.com/");
    if remote {
        return Err(format!(
            "the Terragrunt source `{text}` is remote and is not fetched; the unit's module is not checked"
        ));
    }
    // `../modules//app`: `//` separates the copied root from the module's directory.
    let path = text.split('?').next().unwrap_or(text).replace("//", "/");
    // Relative paths in an included configuration are the child's, as Terragrunt evaluates them
    // (hence `${get_parent_terragrunt_dir()}` in shared configurations).
    let base = if Path::new(&path).is_absolute() {
        Path::new("/")
    } else {
        unit_dir
    };
    world
        .inside(base, &path)
        .filter(|d| d.is_dir())
        .ok_or_else(|| {
            format!("the Terragrunt source `{text}` is not a directory in the tree; the unit's module is not checked")
        })
}

fn has_terraform_files(dir: &Path) -> bool {
    !super::module::files_named(dir, super::module::is_terraform_file).is_empty()
}

/// Terragrunt's path functions, in a unit's configuration; `None` for other names.
pub fn call(
    ev: &Eval,
    name: &str,
    args: &[Value],
    span: crate::syntax::yaml::Span,
    f: FileId,
) -> Option<Value> {
    let unit = ev.ctx.terragrunt.as_ref()?;
    let text = |p: &Path| Some(Value::str(p.to_string_lossy(), span, f));
    match name {
        "get_terragrunt_dir" => text(unit),
        "get_parent_terragrunt_dir" => text(&ev.ctx.dir),
        "find_in_parent_folders" => {
            let wanted = match args.first() {
                Some(a) => a.as_str()?.to_string(),
                None => "terragrunt.hcl".to_string(),
            };
            let root = &ev.ctx.world.root;
            let found = unit
                .ancestors()
                .skip(1)
                .take_while(|d| d.starts_with(root))
                .map(|d| d.join(&wanted))
                .find(|p| p.is_file());
            match found {
                Some(p) => text(&p),
                None => args.get(1).cloned(),
            }
        }
        _ => None,
    }
}
