//! The static evaluator: literals, templates, references, operators, conditionals and `for`.
//! It never loops forever (a fuel budget and a depth bound) and never panics on a cycle: what
//! cannot be computed is `Unknown`, with the reference text.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;

use hcl_edit::expr::{Expression, TraversalOperator, UnaryOperator};
use hcl_edit::template::{Directive, Element, Template};
use hcl_edit::Span as _;

use super::files::{FileHandle, Files};
use super::index::Index;
use super::refs::take_part;
use super::value::{FileId, Kind, Value};
use crate::syntax::yaml::Span;

/// Evaluation steps one evaluator may take: a module instance, or a chunk of a large root
/// module's blocks (`lower_root`).
const FUEL: u32 = 2_000_000;
/// Nested evaluations (references within references) before giving up.
const MAX_DEPTH: u32 = 160;

/// A local module's inputs by name, evaluated in the caller (`None`: not passed).
pub type Inputs<'a> = dyn Fn(&str) -> Option<Value> + 'a;

pub struct Eval<'a> {
    pub files: &'a Files,
    pub ix: &'a Index<'a>,
    /// Input variables as bound by tfvars or the calling module.
    pub vars: HashMap<String, Value>,
    locals: RefCell<HashMap<String, Option<Value>>>,
    /// Resource and data instances already evaluated (`None` while one is being evaluated: a
    /// reference back to it is a cycle), so each is evaluated once.
    pub(super) blocks: RefCell<HashMap<String, Option<Value>>>,
    scope: RefCell<Vec<(String, Value)>>,
    fuel: Cell<u32>,
    depth: Cell<u32>,
    /// The files spans were taken in, by id (see `FileHandle`).
    handles: RefCell<Vec<Option<FileHandle>>>,
    /// Where a root-level `var.x` took the variable's default: the value's span and the name.
    pub(super) defaults: RefCell<Vec<(FileId, Span, String)>>,
    pub ctx: &'a super::module::Ctx<'a>,
    /// A local module's inputs, evaluated in the caller when first used (Terraform's graph is
    /// per attribute: module A may take B's outputs while B takes A's).
    pub(super) inputs: Option<&'a Inputs<'a>>,
    /// Inputs evaluated so far (`None` while one is being evaluated).
    pub(super) taken: RefCell<HashMap<String, Option<Option<Value>>>>,
    /// Local modules' outputs evaluated so far, by `name.output` (`None` while one is).
    pub(super) outputs: RefCell<HashMap<String, Option<Value>>>,
    /// Template files being filled (cycle and depth protection).
    pub(super) templates: RefCell<Vec<std::path::PathBuf>>,
}

impl<'a> Eval<'a> {
    pub fn new(
        files: &'a Files,
        ix: &'a Index<'a>,
        vars: HashMap<String, Value>,
        ctx: &'a super::module::Ctx<'a>,
    ) -> Self {
        Eval {
            files,
            ix,
            vars,
            locals: RefCell::default(),
            blocks: RefCell::default(),
            scope: RefCell::default(),
            fuel: Cell::new(FUEL),
            depth: Cell::new(0),
            handles: RefCell::default(),
            defaults: RefCell::default(),
            ctx,
            inputs: None,
            taken: RefCell::default(),
            outputs: RefCell::default(),
            templates: RefCell::default(),
        }
    }

    pub fn span(&self, f: FileId, e: &impl hcl_edit::Span) -> Span {
        let i = f as usize;
        if let Some(Some(h)) = self.handles.borrow().get(i) {
            return h.span(e.span());
        }
        let h = self.files.handle(f);
        let span = h.span(e.span());
        let mut handles = self.handles.borrow_mut();
        if handles.len() <= i {
            handles.resize(i + 1, None);
        }
        handles[i] = Some(h);
        span
    }

    pub(super) fn unknown(&self, f: FileId, e: &Expression) -> Value {
        Value::unknown(self.files.text(f, e.span()), self.span(f, e), f)
    }

    /// Run `body` with `name` bound (a `for` variable, `each`, `count`, a dynamic iterator).
    pub fn with_bound<T>(&self, binds: Vec<(String, Value)>, body: impl FnOnce() -> T) -> T {
        let n = binds.len();
        self.scope.borrow_mut().extend(binds);
        let out = body();
        let mut scope = self.scope.borrow_mut();
        let len = scope.len();
        scope.truncate(len.saturating_sub(n));
        out
    }

    pub(super) fn bound(&self, name: &str) -> Option<Value> {
        self.scope
            .borrow()
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    }

    pub fn eval(&self, e: &Expression, f: FileId) -> Value {
        let fuel = self.fuel.get();
        let depth = self.depth.get();
        if fuel == 0 || depth >= MAX_DEPTH {
            return self.unknown(f, e);
        }
        self.fuel.set(fuel - 1);
        self.depth.set(depth + 1);
        let v = self.eval_inner(e, f);
        self.depth.set(depth);
        v
    }

    fn eval_inner(&self, e: &Expression, f: FileId) -> Value {
        let span = self.span(f, e);
        let v = |kind| Value::new(kind, span, f);
        match e {
            Expression::Null(_) => v(Kind::Null),
            Expression::Bool(b) => v(Kind::Bool(*b.value())),
            Expression::Number(n) => v(Kind::Number(n.value().to_string())),
            Expression::String(s) => Value::str(s.value().clone(), span, f),
            Expression::Array(items) => {
                v(Kind::List(items.iter().map(|i| self.eval(i, f)).collect()))
            }
            Expression::Object(obj) => {
                let mut entries: Vec<(Value, Value)> = Vec::new();
                for (key, value) in obj.iter() {
                    let k = match key {
                        hcl_edit::expr::ObjectKey::Ident(id) => {
                            Value::str(id.as_str(), self.span(f, id), f)
                        }
                        hcl_edit::expr::ObjectKey::Expression(ke) => self.eval(ke, f),
                    };
                    let val = self.eval(value.expr(), f);
                    let text = k.to_text();
                    entries.retain(|(old, _)| text.is_none() || old.to_text() != text);
                    entries.push((k, val));
                }
                v(Kind::Map(entries))
            }
            Expression::StringTemplate(t) => self.template(t.iter(), span, f),
            Expression::HeredocTemplate(h) => self.template(h.template.iter(), span, f),
            Expression::Parenthesis(p) => self.eval(p.inner(), f),
            Expression::Variable(id) => self.variable(id.as_str(), e, f),
            Expression::Conditional(c) => match self.eval(&c.cond_expr, f).as_bool() {
                Some(true) => self.eval(&c.true_expr, f),
                Some(false) => self.eval(&c.false_expr, f),
                None => self.unknown(f, e),
            },
            Expression::FuncCall(call) => self.call(call, e, f),
            Expression::Traversal(t) => self.traversal(t, e, f),
            Expression::UnaryOp(op) => {
                let x = self.eval(&op.expr, f);
                match (op.operator.value(), &x.kind) {
                    (UnaryOperator::Not, Kind::Bool(b)) => v(Kind::Bool(!b)),
                    (UnaryOperator::Neg, Kind::Number(n)) => match n.parse::<f64>() {
                        Ok(n) => v(Kind::Number(fmt_num(-n))),
                        Err(_) => self.unknown(f, e),
                    },
                    _ => self.unknown(f, e),
                }
            }
            Expression::BinaryOp(op) => self.binary(op, e, f),
            Expression::ForExpr(fe) => self.for_expr(fe, e, f),
        }
    }

    /// A template's string; `partial` when an interpolation is unknown (written `${ref}`).
    pub fn template<'t>(
        &self,
        elements: impl Iterator<Item = &'t Element>,
        span: Span,
        f: FileId,
    ) -> Value {
        let mut text = String::new();
        let mut partial = false;
        let mut single: Option<Value> = None;
        let mut count = 0;
        for el in elements {
            count += 1;
            match el {
                Element::Literal(s) => text.push_str(s.value()),
                Element::Interpolation(i) => {
                    let val = self.eval(&i.expr, f);
                    match val.to_text() {
                        Some(t) => text.push_str(&t),
                        None => {
                            partial = true;
                            text.push_str(&super::value::marker(&val.describe()));
                        }
                    }
                    partial |= matches!(val.kind, Kind::Str { partial: true, .. });
                    single = Some(val);
                }
                Element::Directive(d) => partial |= self.directive(d, &mut text, f),
            }
        }
        // `"${x}"` is `x` itself (a list stays a list).
        if let (1, Some(val)) = (count, single) {
            return val;
        }
        Value::new(Kind::Str { text, partial }, span, f)
    }

    /// `%{ if }` and `%{ for }`: appends to `text`; true when the result is not fully known.
    fn directive(&self, d: &Directive, text: &mut String, f: FileId) -> bool {
        let render = |t: &Template, out: &mut String| -> bool {
            let v = self.template(t.iter(), Span::default(), f);
            match v.to_text() {
                Some(s) => {
                    out.push_str(&s);
                    matches!(v.kind, Kind::Str { partial: true, .. })
                }
                None => true,
            }
        };
        match d {
            Directive::If(i) => match self.eval(&i.if_expr.cond_expr, f).as_bool() {
                Some(true) => render(&i.if_expr.template, text),
                Some(false) => i
                    .else_expr
                    .as_ref()
                    .is_some_and(|e| render(&e.template, text)),
                None => true,
            },
            Directive::For(fd) => {
                let fe = &fd.for_expr;
                let coll = self.eval(&fe.collection_expr, f);
                let Some(items) = iter_pairs(&coll) else {
                    return true;
                };
                let mut partial = false;
                for (k, v) in items {
                    let mut binds = vec![(fe.value_var.as_str().to_string(), v)];
                    if let Some(kv) = &fe.key_var {
                        binds.push((kv.as_str().to_string(), k));
                    }
                    partial |= self.with_bound(binds, || render(&fe.template, text));
                }
                partial
            }
        }
    }

    fn variable(&self, name: &str, e: &Expression, f: FileId) -> Value {
        if let Some(v) = self.bound(name) {
            return v;
        }
        self.unknown(f, e)
    }

    /// `a.b[0].c`: the root resolved by namespace, then each operator applied.
    fn traversal(&self, t: &hcl_edit::expr::Traversal, e: &Expression, f: FileId) -> Value {
        let ops: Vec<&TraversalOperator> = t.operators.iter().map(|o| o.value()).collect();
        let attr = |i: usize| match ops.get(i) {
            Some(TraversalOperator::GetAttr(a)) => Some(a.as_str()),
            _ => None,
        };
        let (root, used) = match &t.expr {
            Expression::Variable(id) => match (id.as_str(), attr(0)) {
                (name, _) if self.bound(name).is_some() => (self.bound(name), 0),
                ("var", Some(n)) => (self.var(n, e, f), 1),
                ("local", Some(n)) => match self.local(n, &ops[1..], e, f) {
                    Some((v, taken)) => (Some(v), 1 + taken),
                    None => (None, 0),
                },
                ("path", Some(_)) => (Some(self.path_value(e, f)), 1),
                ("module", Some(m)) => (self.module_ref(m, attr(1), e, f), 2),
                ("data", Some(ty)) => {
                    match attr(1).and_then(|n| self.block_ref("data", ty, n, &ops[2..], e, f)) {
                        Some((v, used)) => (Some(v), 2 + used),
                        None => (None, 0),
                    }
                }
                (ty, Some(name)) if ty.contains('_') => {
                    match self.block_ref("resource", ty, name, &ops[1..], e, f) {
                        Some((v, used)) => (Some(v), 1 + used),
                        None => (None, 0),
                    }
                }
                _ => (None, 0),
            },
            other => (Some(self.eval(other, f)), 0),
        };
        let Some(mut cur) = root else {
            return self.unknown(f, e);
        };
        for op in ops.iter().skip(used) {
            cur = match op {
                TraversalOperator::GetAttr(a) => match cur.get(a.as_str()) {
                    Some(v) => v.clone(),
                    None => return self.unknown(f, e),
                },
                TraversalOperator::Index(ix) => {
                    let i = self.eval(ix, f);
                    match index(&cur, &i) {
                        Some(v) => v,
                        None => return self.unknown(f, e),
                    }
                }
                TraversalOperator::LegacyIndex(n) => {
                    match cur.as_list().and_then(|l| l.get(*n.value() as usize)) {
                        Some(v) => v.clone(),
                        None => return self.unknown(f, e),
                    }
                }
                _ => return self.unknown(f, e),
            };
        }
        cur
    }

    /// `var.x`: the bound input, else the variable's default.
    fn var(&self, name: &str, e: &Expression, f: FileId) -> Option<Value> {
        let here = self.span(f, e);
        let given = self.vars.get(name).cloned().or_else(|| self.input(name));
        if let Some(v) = given {
            return Some(if v.file == f { v } else { v.respan(here, f) });
        }
        let (vf, block) = self.ix.variables.get(name)?;
        let default = block.body.get_attribute("default")?;
        let v = self.eval(&default.value, *vf);
        let span = if *vf == f {
            self.span(*vf, &default.value)
        } else {
            here
        };
        self.record_default(name, f, span);
        Some(if *vf == f { v } else { v.respan(here, f) })
    }

    /// `local.x`, evaluated once; a cycle is unknown. The attribute steps in `ops` that follow
    /// are taken in place (see [`take_part`]); returns the value and how many were taken.
    fn local(
        &self,
        name: &str,
        ops: &[&TraversalOperator],
        e: &Expression,
        f: FileId,
    ) -> Option<(Value, usize)> {
        let here = self.span(f, e);
        match self.locals.borrow().get(name) {
            Some(Some(v)) => return Some(take_part(v, ops, here, f)),
            Some(None) => return None,
            None => {}
        }
        let (lf, attr) = self.ix.locals.get(name)?;
        self.locals.borrow_mut().insert(name.to_string(), None);
        let v = self.eval(&attr.value, *lf);
        let part = take_part(&v, ops, here, f);
        self.locals.borrow_mut().insert(name.to_string(), Some(v));
        Some(part)
    }

    fn path_value(&self, e: &Expression, f: FileId) -> Value {
        Value::str(self.ctx.dir.to_string_lossy(), self.span(f, e), f)
    }
}

/// Pairs to iterate a collection with: `(index, item)` for lists, `(key, value)` for maps.
pub fn iter_pairs(coll: &Value) -> Option<Vec<(Value, Value)>> {
    match &coll.kind {
        Kind::List(items) => Some(
            items
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    (
                        Value::new(Kind::Number(i.to_string()), v.span, v.file),
                        v.clone(),
                    )
                })
                .collect(),
        ),
        Kind::Map(entries) => Some(entries.clone()),
        Kind::Null => Some(Vec::new()),
        _ => None,
    }
}

fn index(cur: &Value, i: &Value) -> Option<Value> {
    match (&cur.kind, i.to_text()) {
        (Kind::List(items), Some(t)) => items.get(t.parse::<usize>().ok()?).cloned(),
        (Kind::Map(_), Some(t)) => cur.get(&t).cloned(),
        _ => None,
    }
}

/// Equality of known values, ignoring spans.
pub fn same(a: &Value, b: &Value) -> bool {
    a.to_json() == b.to_json()
}

pub fn fmt_num(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        n.to_string()
    }
}
