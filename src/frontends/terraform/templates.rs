//! The files a module passes to `templatefile()`, found without evaluating it: such a file is a
//! template of that call (Terraform fills its `${…}`), not a manifest in its own right, whether
//! or not the call is reached (`count = 0`, a feature variable that is off). And filling them:
//! `file()`, `templatefile()` and `data "template_file"` (`Eval::render`).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use hcl_edit::expr::{Expression, FuncCall, TraversalOperator};
use hcl_edit::template::Element;
use hcl_edit::visit::{visit_func_call, Visit};

use super::eval::Eval;
use super::module::World;
use super::value::{FileId, Value};
use crate::syntax::source::{read_text, SourceFile};
use crate::syntax::yaml::Span;

/// Every file under the tree that a `templatefile("${path.module}/…", …)` (or a literal path)
/// in `bodies`, the files of the module in `dir`, names.
pub fn templatefile_paths<'a>(
    world: &World,
    dir: &Path,
    bodies: impl IntoIterator<Item = &'a hcl_edit::structure::Body>,
) -> Vec<PathBuf> {
    let mut finder = Finder {
        world,
        dir,
        found: Vec::new(),
    };
    for body in bodies {
        finder.visit_body(body);
    }
    finder.found
}

struct Finder<'w> {
    world: &'w World,
    dir: &'w Path,
    found: Vec<PathBuf>,
}

impl Visit for Finder<'_> {
    fn visit_func_call(&mut self, call: &FuncCall) {
        if call.name.name.as_str() == "templatefile" {
            let path = call.args.iter().next().and_then(static_path);
            if let Some(path) = path.and_then(|rel| self.world.inside(self.dir, &rel)) {
                self.found.push(path);
            }
        }
        visit_func_call(self, call);
    }
}

/// A path written as a literal, or from literals and `path.module`, relative to the module.
fn static_path(expr: &Expression) -> Option<String> {
    match expr {
        Expression::String(s) => Some(s.value().clone()),
        Expression::StringTemplate(t) => t
            .iter()
            .map(|element| match element {
                Element::Literal(s) => Some(s.value().clone()),
                Element::Interpolation(i) if is_path_module(&i.expr) => Some(".".to_string()),
                _ => None,
            })
            .collect(),
        _ => None,
    }
}

fn is_path_module(expr: &Expression) -> bool {
    let Expression::Traversal(t) = expr else {
        return false;
    };
    let root = matches!(&t.expr, Expression::Variable(v) if v.as_str() == "path");
    let ops: Vec<&TraversalOperator> = t.operators.iter().map(|o| o.value()).collect();
    root && matches!(ops.as_slice(), [TraversalOperator::GetAttr(a)] if a.as_str() == "module")
}

impl Eval<'_> {
    /// `file(path)` and `templatefile(path, vars)` on files inside the tree; never outside.
    pub(super) fn file_fn(
        &self,
        name: &str,
        args: &[Value],
        span: Span,
        f: FileId,
    ) -> Option<Value> {
        let rel = args.first()?.as_str()?;
        let path = self.ctx.world.inside(&self.ctx.dir, rel)?;
        let text = read_text(&path, self.ctx.world.max_file_size).ok()?;
        if name == "file" {
            return Some(Value::str(text, span, f));
        }
        let vars = args.get(1)?.as_map()?;
        self.render(Some(&path), text, vars, span, f)
    }

    /// A template's text (`templatefile()`, `data "template_file"`) filled with `vars`. Read
    /// from a file of the tree (`path`), the result keeps the template's lines; one template
    /// inside itself, or nested too deep, is unknown with a note at the call.
    pub(super) fn render(
        &self,
        path: Option<&Path>,
        text: String,
        vars: &[(Value, Value)],
        span: Span,
        f: FileId,
    ) -> Option<Value> {
        let world = self.ctx.world;
        let shown = path.map(|p| world.display(p)).unwrap_or_default();
        let within = |why: String| {
            world.note(f, span, why);
            None
        };
        if let Some(p) = path {
            let open = self.templates.borrow();
            if open.iter().any(|o| o == p) {
                return within(format!(
                    "template `{shown}` includes itself (a templatefile cycle); it is unknown here"
                ));
            }
            if open.len() >= MAX_TEMPLATE_DEPTH {
                return within(format!("templates are nested more than {MAX_TEMPLATE_DEPTH} deep at `{shown}`; it is unknown here"));
            }
        }
        let parsed = std::panic::catch_unwind(|| hcl_edit::parser::parse_template(&text)).ok();
        let Some(Ok(template)) = parsed else {
            return within(format!(
                "template `{shown}` is not a valid Terraform template; it is unknown here"
            ));
        };
        let binds = vars
            .iter()
            .filter_map(|(k, v)| Some((k.as_str()?.to_string(), v.clone())))
            .collect();
        let Some(path) = path else {
            // An inline template: its values point at the call.
            let v = self.with_bound(binds, || self.template(template.iter(), span, f));
            return Some(v.respan(span, f));
        };
        let len = text.len();
        let id = match world.files.by_path(path) {
            Some(id) => id,
            None => world
                .files
                .add(Arc::new(SourceFile::new(path, shown, text))),
        };
        let whole = world.files.span(id, Some(0..len));
        self.templates.borrow_mut().push(path.to_path_buf());
        let v = self.with_bound(binds, || self.template(template.iter(), whole, id));
        self.templates.borrow_mut().pop();
        // The template's own text keeps its lines; a value passed through (`${x}`) or encoded
        // points at the call.
        if v.file == id && v.doc.is_none() {
            world.relate(
                id,
                whole,
                f,
                span,
                format!("template `{}` is filled here", world.display(path)),
            );
            Some(v)
        } else {
            Some(v.respan(span, f))
        }
    }
}

/// Templates nested deeper than this (`templatefile()` inside a template) are not filled.
pub const MAX_TEMPLATE_DEPTH: usize = 32;
