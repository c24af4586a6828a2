//! Module directories: loading and parsing (once), and what references reach across blocks:
//! resources, data sources, module outputs, `file()`/`templatefile()` inside the tree.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;

use hcl_edit::expr::{Expression, TraversalOperator};
use hcl_edit::structure::{Block, Body};

use super::eval::{iter_pairs, Eval};
use super::files::Files;
use super::index::Index;
use super::value::{FileId, Kind, Value};
use crate::syntax::source::{read_text, SourceFile};
use crate::syntax::yaml::Span;

/// Local modules nested deeper than this are not followed.
pub const MAX_MODULE_DEPTH: usize = 8;

/// One parsed module directory.
pub struct Loaded {
    pub dir: PathBuf,
    pub bodies: Vec<(FileId, Body)>,
}

/// Everything one Terraform run has read.
pub struct World {
    pub files: Files,
    /// Canonical directory → its parsed files.
    loaded: RefCell<HashMap<PathBuf, Rc<Loaded>>>,
    /// Files that are not HCL: `(file, message, position)`, once each.
    pub errors: RefCell<Vec<(FileId, crate::syntax::hcl::HclError)>>,
    pub max_file_size: u64,
    /// The tree nothing is read outside of (canonical).
    pub root: PathBuf,
    /// Files named on the command line: their directory is read as only those files.
    pub explicit: Vec<PathBuf>,
}

/// Where an evaluation is: the module directory, its caller chain, its address.
pub struct Ctx<'a> {
    pub world: &'a World,
    pub dir: PathBuf,
    /// Canonical directories of the calling modules (cycle protection).
    pub stack: Vec<PathBuf>,
    /// `module.a.module.b.` for nested modules, empty at the root.
    pub address: String,
    /// The unit directory while a Terragrunt configuration is evaluated (its path functions).
    pub terragrunt: Option<PathBuf>,
}

/// A file of a module: `.tf`/`.tofu`, or the same in JSON syntax (`.tf.json`/`.tofu.json`).
/// The regular files of `dir` (not its subdirectories) whose name `wanted` accepts.
pub fn files_named(dir: &Path, wanted: fn(&str) -> bool) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| e.path())
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(wanted))
        .collect()
}

pub fn is_terraform_file(name: &str) -> bool {
    let name = name.strip_suffix(".json").unwrap_or(name);
    name.ends_with(".tf") || name.ends_with(".tofu")
}

pub fn is_tfvars_file(name: &str) -> bool {
    let name = name.strip_suffix(".json").unwrap_or(name);
    name == "terraform.tfvars" || name.ends_with(".auto.tfvars")
}

impl World {
    pub fn new(root: PathBuf, max_file_size: u64) -> Self {
        World {
            files: Files::default(),
            loaded: RefCell::default(),
            errors: RefCell::default(),
            max_file_size,
            root,
            explicit: Vec::new(),
        }
    }

    /// Parse a file into the file table; `None` (with an error recorded) when it is not HCL.
    pub fn parse_file(&self, path: &Path, display: String) -> Option<(FileId, Body)> {
        let text = match read_text(path, self.max_file_size) {
            Ok(t) => t,
            Err(e) => {
                let id = self.files.add(Arc::new(SourceFile::new(path, display, "")));
                let pos = e.pos.unwrap_or_default();
                self.record(
                    id,
                    crate::syntax::hcl::HclError {
                        message: e.message,
                        pos,
                    },
                );
                return None;
            }
        };
        self.parse_source(SourceFile::new(path, display, text))
    }

    /// Parse a file that was read (HCL, or JSON syntax by its name) into the file table.
    pub fn parse_source(&self, file: SourceFile) -> Option<(FileId, Body)> {
        if let Some(mode) = super::json_syntax::mode_of(file.file_name()) {
            return super::json_syntax::parse(self, file, mode);
        }
        let id = self.files.add(Arc::new(file));
        match crate::syntax::hcl::parse(&self.files.get(id).text) {
            Ok(body) => Some((id, body)),
            Err(e) => {
                self.record(id, e);
                None
            }
        }
    }

    pub(super) fn record(&self, id: FileId, e: crate::syntax::hcl::HclError) {
        let mut errors = self.errors.borrow_mut();
        if !errors.iter().any(|(f, _)| *f == id) {
            errors.push((id, e));
        }
    }

    /// Use `bodies` as the parsed files of `dir` (text that is not on disk: the fuzz target).
    pub fn insert(&self, dir: &Path, bodies: Vec<(FileId, Body)>) {
        let loaded = Rc::new(Loaded {
            dir: dir.to_path_buf(),
            bodies,
        });
        self.loaded.borrow_mut().insert(dir.to_path_buf(), loaded);
    }

    /// A directory's `.tf`/`.tofu` files, HCL or JSON syntax (not subdirectories), parsed once.
    pub fn load(&self, dir: &Path) -> Rc<Loaded> {
        if let Some(l) = self.loaded.borrow().get(dir) {
            return l.clone();
        }
        let mut names = files_named(dir, is_terraform_file);
        let named: Vec<&PathBuf> = self
            .explicit
            .iter()
            .filter(|e| e.parent() == Some(dir))
            .collect();
        if !named.is_empty() {
            names.retain(|n| named.contains(&n));
        }
        names.sort();
        let bodies = names
            .iter()
            .filter_map(|p| self.parse_file(p, self.display(p)))
            .collect();
        let loaded = Rc::new(Loaded {
            dir: dir.to_path_buf(),
            bodies,
        });
        self.loaded
            .borrow_mut()
            .insert(dir.to_path_buf(), loaded.clone());
        loaded
    }

    /// A path as shown: relative to the current directory when it is below it.
    pub fn display(&self, path: &Path) -> String {
        let cwd = std::env::current_dir()
            .ok()
            .and_then(|c| c.canonicalize().ok());
        let shown = cwd
            .as_deref()
            .and_then(|c| path.strip_prefix(c).ok())
            .unwrap_or(path);
        shown.to_string_lossy().into_owned()
    }

    /// A path named in the configuration, if it is inside the tree (symlinks resolved first).
    pub fn inside(&self, base: &Path, rel: &str) -> Option<PathBuf> {
        let joined = base.join(rel);
        let canonical = joined.canonicalize().ok()?;
        canonical.starts_with(&self.root).then_some(canonical)
    }
}

/// One `count`/`for_each` instance: its key and the names its body binds (`each`, `count`).
pub type Instance = (String, Vec<(String, Value)>);

/// `count` / `for_each` instances of a block: the key and the names bound in its body.
pub fn instances(ev: &Eval, block: &Block, f: FileId) -> Option<Vec<Instance>> {
    if let Some(c) = block.body.get_attribute("count") {
        let n = ev.eval(&c.value, f).to_text()?.parse::<f64>().ok()?;
        let n = (n.max(0.0) as usize).min(10_000);
        let span = ev.span(f, &c.value);
        return Some(
            (0..n)
                .map(|i| {
                    let idx = Value::new(Kind::Number(i.to_string()), span, f);
                    let count = Value::new(
                        Kind::Map(vec![(Value::str("index", span, f), idx)]),
                        span,
                        f,
                    );
                    (i.to_string(), vec![("count".to_string(), count)])
                })
                .collect(),
        );
    }
    if let Some(fe) = block.body.get_attribute("for_each") {
        let coll = ev.eval(&fe.value, f);
        let span = coll.span;
        let pairs = match &coll.kind {
            // A set of strings: each.key = each.value.
            Kind::List(items) => items.iter().map(|v| (v.clone(), v.clone())).collect(),
            _ => iter_pairs(&coll)?,
        };
        return pairs
            .into_iter()
            .map(|(k, v)| {
                let key = k.to_text()?;
                let each = Value::new(
                    Kind::Map(vec![
                        (Value::str("key", span, f), k),
                        (Value::str("value", span, f), v),
                    ]),
                    span,
                    f,
                );
                Some((key, vec![("each".to_string(), each)]))
            })
            .collect();
    }
    Some(vec![(String::new(), Vec::new())])
}

/// Leading `[i]` / `["k"]` after a resource's name: the instance key, if known.
fn instance_key(ev: &Eval, ops: &[&TraversalOperator], f: FileId) -> (Option<String>, usize) {
    match ops.first() {
        Some(TraversalOperator::Index(ix)) => (ev.eval(ix, f).to_text(), 1),
        Some(TraversalOperator::LegacyIndex(n)) => (Some(n.value().to_string()), 1),
        _ => (None, 0),
    }
}

impl Eval<'_> {
    /// A resource or data block as an object: its arguments, nested blocks as lists, and the
    /// computed attributes IRSA needs (`aws_iam_role.arn`). `used` operators were consumed.
    pub(super) fn block_ref(
        &self,
        kind: &str,
        ty: &str,
        name: &str,
        ops: &[&TraversalOperator],
        e: &Expression,
        f: FileId,
    ) -> Option<(Value, usize)> {
        let map = if kind == "data" {
            &self.ix.data
        } else {
            &self.ix.resources
        };
        let (bf, block) = *map.get(&(ty, name))?;
        let (key, used) = instance_key(self, ops, f);
        let here = self.span(f, e);
        // Each instance is evaluated once; a reference back to one being evaluated is a cycle.
        let memo = format!("{kind}.{ty}.{name}[{}]", key.as_deref().unwrap_or(""));
        let cached = self.blocks.borrow().get(&memo).cloned();
        match cached {
            Some(Some(v)) => return Some((if v.file == f { v } else { v.respan(here, f) }, used)),
            Some(None) => return None,
            None => {}
        }
        self.blocks.borrow_mut().insert(memo.clone(), None);
        let v = self.block_value(kind, ty, name, block, bf, key, (here, f));
        let mut blocks = self.blocks.borrow_mut();
        match v {
            Some(v) => {
                blocks.insert(memo, Some(v.clone()));
                Some((if v.file == f { v } else { v.respan(here, f) }, used))
            }
            None => {
                blocks.remove(&memo);
                None
            }
        }
    }

    /// One instance of a resource or data block as an object, with its computed attributes.
    #[allow(clippy::too_many_arguments)]
    fn block_value(
        &self,
        kind: &str,
        ty: &str,
        name: &str,
        block: &Block,
        bf: FileId,
        key: Option<String>,
        (here, f): (Span, FileId),
    ) -> Option<Value> {
        let insts = instances(self, block, bf)?;
        let binds = match key {
            Some(k) => insts.into_iter().find(|(ik, _)| *ik == k)?.1,
            None if insts.len() == 1 => insts.into_iter().next()?.1,
            None => return None,
        };
        let v = self.with_bound(binds, || {
            let address = format!(
                "{}{}{}.{name}",
                self.ctx.address,
                if kind == "data" { "data." } else { "" },
                ty
            );
            let mut obj = self.body_value(&block.body, bf, 0);
            if let Kind::Map(entries) = &mut obj.kind {
                for (k, v) in super::computed::attributes(self, kind, ty, &address, block, bf) {
                    entries.retain(|(old, _)| old.as_str() != Some(k));
                    entries.push((Value::str(k, here, f), v));
                }
            }
            obj
        });
        Some(v)
    }

    /// A block body as an object (nested blocks become lists of objects).
    pub fn body_value(&self, body: &Body, f: FileId, depth: usize) -> Value {
        let span = Span::default();
        let mut entries: Vec<(Value, Value)> = Vec::new();
        for attr in body.attributes() {
            let k = Value::str(attr.key.as_str(), self.span(f, &attr.key), f);
            entries.push((k, self.eval(&attr.value, f)));
        }
        if depth < 8 {
            for block in body.blocks() {
                let ident = block.ident.as_str();
                let item = self.body_value(&block.body, f, depth + 1);
                match entries.iter_mut().find(|(k, _)| k.as_str() == Some(ident)) {
                    Some((
                        _,
                        Value {
                            kind: Kind::List(items),
                            ..
                        },
                    )) => items.push(item),
                    _ => entries.push((
                        Value::str(ident, self.span(f, &block.ident), f),
                        Value::new(Kind::List(vec![item]), span, f),
                    )),
                }
            }
        }
        Value::new(Kind::Map(entries), span, f)
    }

    /// `module.NAME.OUTPUT`: a local module's output evaluated with its inputs, a modeled
    /// registry module's role ARN/name, else unknown.
    pub(super) fn module_ref(
        &self,
        name: &str,
        output: Option<&str>,
        e: &Expression,
        f: FileId,
    ) -> Option<Value> {
        let output = output?;
        let (mf, block) = *self.ix.modules.get(name)?;
        let here = self.span(f, e);
        let address = format!("{}module.{name}", self.ctx.address);
        if let Some(v) = super::tam::output(self, block, mf, &address, output) {
            return Some(if v.file == f { v } else { v.respan(here, f) });
        }
        let v = self.with_child(block, mf, name, |child| {
            let (of, out) = *child.ix.outputs.get(output)?;
            let attr = out.body.get_attribute("value")?;
            Some(child.eval(&attr.value, of))
        })??;
        Some(v.respan(here, f))
    }

    /// Run `body` in the local module called by `block`, with its inputs bound.
    pub fn with_child<T>(
        &self,
        block: &Block,
        f: FileId,
        name: &str,
        body: impl FnOnce(&Eval) -> T,
    ) -> Option<T> {
        let dir = self.local_source(block, f)?;
        let world = self.ctx.world;
        let loaded = world.load(&dir);
        let ix = Index::build(&loaded.bodies);
        let vars = self.module_inputs(block, f);
        let mut stack = self.ctx.stack.clone();
        stack.push(self.ctx.dir.clone());
        let ctx = Ctx {
            world,
            dir: dir.clone(),
            stack,
            address: format!("{}module.{name}.", self.ctx.address),
            terragrunt: None,
        };
        let child = Eval::new(&world.files, &ix, vars, &ctx);
        Some(body(&child))
    }

    /// The directory of a `source = "./…"` module, if inside the tree and not a cycle.
    pub fn local_source(&self, block: &Block, f: FileId) -> Option<PathBuf> {
        let src = self.eval(&block.body.get_attribute("source")?.value, f);
        let src = src.as_str()?;
        if !(src.starts_with("./") || src.starts_with("../")) {
            return None;
        }
        let dir = self.ctx.world.inside(&self.ctx.dir, src)?;
        let cycle = dir == self.ctx.dir || self.ctx.stack.contains(&dir);
        (!cycle && self.ctx.stack.len() < MAX_MODULE_DEPTH && dir.is_dir()).then_some(dir)
    }

    /// A module block's arguments, evaluated here: the child's variables.
    pub fn module_inputs(&self, block: &Block, f: FileId) -> HashMap<String, Value> {
        const META: &[&str] = &[
            "source",
            "version",
            "count",
            "for_each",
            "providers",
            "depends_on",
        ];
        block
            .body
            .attributes()
            .filter(|a| !META.contains(&a.key.as_str()))
            .map(|a| (a.key.as_str().to_string(), self.eval(&a.value, f)))
            .collect()
    }
}
