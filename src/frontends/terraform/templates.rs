//! The files a module passes to `templatefile()`, found without evaluating it: such a file is a
//! template of that call (Terraform fills its `${…}`), not a manifest in its own right, whether
//! or not the call is reached (`count = 0`, a feature variable that is off).

use std::path::{Path, PathBuf};

use hcl_edit::expr::{Expression, FuncCall, TraversalOperator};
use hcl_edit::template::Element;
use hcl_edit::visit::{visit_func_call, Visit};

use super::module::World;

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
