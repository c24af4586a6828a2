//! What references reach across blocks: resources and data sources (each instance evaluated
//! once, cycles unknown), `count`/`for_each` instances, module outputs and local module calls.

use std::collections::HashMap;
use std::path::PathBuf;

use hcl_edit::expr::{Expression, TraversalOperator};
use hcl_edit::structure::{Block, Body};

use super::eval::{iter_pairs, Eval};
use super::index::Index;
use super::module::{Ctx, MAX_MODULE_DEPTH};
use super::value::{FileId, Kind, Value};
use crate::syntax::yaml::Span;

/// A module block's arguments that are not its inputs.
const META: &[&str] = &[
    "source",
    "version",
    "count",
    "for_each",
    "providers",
    "depends_on",
];

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
        self.block_ref_at(kind, ty, name, ops, self.span(f, e), f)
    }

    /// [`Self::block_ref`] for a reference at `here` in `f`.
    pub(super) fn block_ref_at(
        &self,
        kind: &str,
        ty: &str,
        name: &str,
        ops: &[&TraversalOperator],
        here: Span,
        f: FileId,
    ) -> Option<(Value, usize)> {
        let map = if kind == "data" {
            &self.ix.data
        } else {
            &self.ix.resources
        };
        let (bf, block) = *map.get(&(ty, name))?;
        let (key, used) = instance_key(self, ops, f);
        // Each instance is evaluated once; a reference back to one being evaluated is a cycle.
        let memo = format!("{kind}.{ty}.{name}[{}]", key.as_deref().unwrap_or(""));
        let select = |object: &Value| {
            let (part, taken) = take_part(object, &ops[used..], here, f);
            (part, used + taken)
        };
        match self.blocks.borrow().get(&memo) {
            Some(Some(v)) => return Some(select(v)),
            Some(None) => return None,
            None => {}
        }
        self.blocks.borrow_mut().insert(memo.clone(), None);
        let v = self.block_value(kind, ty, name, block, bf, key, (here, f));
        let mut blocks = self.blocks.borrow_mut();
        match v {
            Some(v) => {
                let selected = select(&v);
                blocks.insert(memo, Some(v));
                Some(selected)
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
        let (instance, binds) = match key {
            Some(k) => insts.into_iter().find(|(ik, _)| *ik == k)?,
            None if insts.len() == 1 => insts.into_iter().next()?,
            None => return None,
        };
        let v = self.with_bound(binds, || {
            // As `lower::lower_blocks` names an instance: `aws_iam_role.x.0`, `….x.key`.
            let mut address = format!(
                "{}{}{}.{name}",
                self.ctx.address,
                if kind == "data" { "data." } else { "" },
                ty
            );
            if !instance.is_empty() {
                address = format!("{address}.{instance}");
            }
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

    /// `data.T.N[…].attr` (or a resource's) whose block is in another file, evaluated where the
    /// block is, so the value keeps its own file and lines (a policy document's findings point
    /// at the document). Any other expression is evaluated as usual.
    pub fn home_value(&self, e: &Expression, f: FileId) -> Value {
        let Expression::Traversal(t) = e else {
            return self.eval(e, f);
        };
        let ops: Vec<&TraversalOperator> = t.operators.iter().map(|o| o.value()).collect();
        let attr = |i: usize| match ops.get(i) {
            Some(TraversalOperator::GetAttr(a)) => Some(a.as_str()),
            _ => None,
        };
        let root = match &t.expr {
            Expression::Variable(v) if self.bound(v.as_str()).is_none() => v.as_str(),
            _ => return self.eval(e, f),
        };
        let (kind, ty, name, skip) = match (root, attr(0), attr(1)) {
            ("data", Some(ty), Some(name)) => ("data", ty, name, 2),
            (ty, Some(name), _) if ty.contains('_') => ("resource", ty, name, 1),
            _ => return self.eval(e, f),
        };
        let map = if kind == "data" {
            &self.ix.data
        } else {
            &self.ix.resources
        };
        let Some(&(bf, block)) = map.get(&(ty, name)).filter(|(bf, _)| *bf != f) else {
            return self.eval(e, f);
        };
        let here = self.span(bf, block);
        match self.block_ref_at(kind, ty, name, &ops[skip..], here, bf) {
            Some((v, used)) if skip + used == ops.len() => v,
            _ => self.eval(e, f),
        }
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
        // Each output is evaluated once; one that depends on itself is a cycle.
        let memo = format!("{name}.{output}");
        match self.outputs.borrow().get(&memo) {
            Some(Some(v)) => return Some(v.clone().respan(here, f)),
            Some(None) => {
                let message = format!("`{address}.{output}` depends on itself (a cycle through module inputs and outputs); it is unknown here");
                self.ctx.world.note(f, here, message);
                return None;
            }
            None => {}
        }
        self.outputs.borrow_mut().insert(memo.clone(), None);
        let v = self
            .with_child(block, mf, name, |child| {
                let (of, out) = *child.ix.outputs.get(output)?;
                let attr = out.body.get_attribute("value")?;
                Some(child.eval(&attr.value, of))
            })
            .flatten();
        let mut outputs = self.outputs.borrow_mut();
        match v {
            Some(v) => {
                outputs.insert(memo, Some(v.clone()));
                Some(v.respan(here, f))
            }
            None => {
                outputs.remove(&memo);
                None
            }
        }
    }

    /// A local module's input, evaluated in its caller on first use; one that depends on
    /// itself is unknown.
    pub(super) fn input(&self, name: &str) -> Option<Value> {
        let inputs = self.inputs?;
        match self.taken.borrow().get(name) {
            Some(Some(v)) => return v.clone(),
            // Being evaluated: a cycle, unknown (never the default).
            Some(None) => {
                let cycle = format!("var.{name}");
                return Some(Value::unknown(cycle, Span::default(), FileId::MAX));
            }
            None => {}
        }
        self.taken.borrow_mut().insert(name.to_string(), None);
        let v = inputs(name);
        self.taken
            .borrow_mut()
            .insert(name.to_string(), Some(v.clone()));
        v
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
        let inputs = |input: &str| {
            let attr = block.body.get_attribute(input)?;
            (!META.contains(&input)).then(|| self.eval(&attr.value, f))
        };
        let mut stack = self.ctx.stack.clone();
        stack.push(self.ctx.dir.clone());
        let ctx = Ctx {
            world,
            dir: dir.clone(),
            stack,
            address: format!("{}module.{name}.", self.ctx.address),
            terragrunt: None,
        };
        let mut child = Eval::new(&world.files, &ix, HashMap::new(), &ctx);
        child.inputs = Some(&inputs);
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
        block
            .body
            .attributes()
            .filter(|a| !META.contains(&a.key.as_str()))
            .map(|a| (a.key.as_str().to_string(), self.eval(&a.value, f)))
            .collect()
    }
}

/// The part of a memoized value that a reference's leading attribute steps name, cloned (and
/// respanned to the reference when the value is from another file), with the steps taken: only
/// what is used is copied.
pub(super) fn take_part(
    object: &Value,
    ops: &[&TraversalOperator],
    here: Span,
    f: FileId,
) -> (Value, usize) {
    let mut part = object;
    let mut taken = 0;
    for op in ops {
        let TraversalOperator::GetAttr(a) = op else {
            break;
        };
        let Some(next) = part.get(a.as_str()) else {
            break;
        };
        part = next;
        taken += 1;
    }
    let part = part.clone();
    let part = if object.file == f {
        part
    } else {
        part.respan(here, f)
    };
    (part, taken)
}
