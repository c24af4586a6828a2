//! Attributes Terraform computes at apply time that IRSA pairing needs: a role's ARN and name,
//! a policy document's JSON. A role whose name is not known is named by its address.

use hcl_edit::structure::Block;

use super::eval::Eval;
use super::value::{FileId, Value};

/// The name a role pairs by: its known name, else a stand-in made from its address
/// (`aws_iam_role.x`, see `model::arn::stand_in_role_name`).
pub fn role_key(name: Option<&str>, address: &str) -> String {
    match name {
        Some(n) if !n.is_empty() => n.to_string(),
        _ => crate::model::arn::stand_in_role_name(address),
    }
}

pub fn role_arn(key: &str, path: Option<&str>) -> String {
    let path = path
        .filter(|p| p.starts_with('/') && p.ends_with('/'))
        .unwrap_or("/");
    format!(
        "arn:aws:iam::{}:role{path}{key}",
        super::trust::UNKNOWN_ACCOUNT
    )
}

/// The known name and path of an `aws_iam_role` block (with its instance bound).
pub fn role_name_path(ev: &Eval, block: &Block, f: FileId) -> (Option<String>, Option<String>) {
    let get = |k: &str| {
        block
            .body
            .get_attribute(k)
            .map(|a| ev.eval(&a.value, f))
            .and_then(|v| v.as_str().map(str::to_string))
    };
    (get("name"), get("path"))
}

/// Computed attributes of a resource or data source, by kind and type.
pub fn attributes(
    ev: &Eval,
    kind: &str,
    ty: &str,
    address: &str,
    block: &Block,
    f: FileId,
) -> Vec<(&'static str, Value)> {
    let span = ev.span(f, block);
    match (kind, ty) {
        ("resource", "aws_iam_role") => {
            let (name, path) = role_name_path(ev, block, f);
            let key = role_key(name.as_deref(), address);
            let arn = Value::str(role_arn(&key, path.as_deref()), span, f);
            let mut out = vec![("arn", arn)];
            if name.is_none() {
                out.push(("name", Value::str(key.clone(), span, f)));
                out.push(("id", Value::str(key, span, f)));
            } else {
                out.push(("id", Value::str(key, span, f)));
            }
            out
        }
        ("data", "aws_iam_policy_document") => {
            let doc = ev.policy_document(&block.body, f, span);
            vec![("json", doc.clone()), ("minified_json", doc)]
        }
        ("data", "template_file") => ev
            .template_file(block, f)
            .map(|v| vec![("rendered", v)])
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

impl Eval<'_> {
    /// `data "template_file"` (the template provider): its `template` filled with its `vars`,
    /// as `templatefile()` does; a template read with `file()` keeps its own lines.
    fn template_file(&self, block: &Block, f: FileId) -> Option<Value> {
        let attr = block.body.get_attribute("template")?;
        let text = self.eval(&attr.value, f);
        let text = text.as_str()?.to_string();
        let path = match &attr.value {
            hcl_edit::expr::Expression::FuncCall(c) if c.name.name.as_str() == "file" => c
                .args
                .iter()
                .next()
                .and_then(|a| self.eval(a, f).as_str().map(str::to_string))
                .and_then(|rel| self.ctx.world.inside(&self.ctx.dir, &rel)),
            _ => None,
        };
        let vars = block
            .body
            .get_attribute("vars")
            .map(|a| self.eval(&a.value, f));
        let vars = match &vars {
            Some(v) => v.as_map()?,
            None => &[],
        };
        self.render(path.as_deref(), text, vars, self.span(f, block), f)
    }
}
