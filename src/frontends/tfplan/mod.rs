//! Terraform plan and state JSON (`terraform show -json`, a committed `terraform.tfstate`),
//! recognised by shape, child modules included. Only IRSA-relevant attributes of a few resource
//! types are read (see `lower`); nothing else of a state, which may hold secrets, is touched.

mod helm;
mod lower;
mod redact;
mod refs;

pub(crate) use redact::blank_except;
pub use redact::redacted;

use std::sync::Arc;

use crate::facts::Classified;
use crate::frontends::Problem;
use crate::syntax::source::SourceFile;
use crate::syntax::yaml::Node;

/// One resource instance: its address and the attribute values as planned or stored.
pub struct Resource<'a> {
    pub address: String,
    pub kind: &'a str,
    pub values: &'a Node,
    /// `after_unknown` (plans): attributes known only after apply.
    pub unknown: Option<&'a Node>,
    /// `after_sensitive` / `sensitive_values` / state `sensitive_attributes`.
    pub sensitive: Sensitive<'a>,
}

pub enum Sensitive<'a> {
    /// A mirror of the values with `true` where a value is sensitive.
    Mirror(Option<&'a Node>),
    /// State v4 `sensitive_attributes`: attribute paths.
    Paths(&'a [Node]),
}

impl Resource<'_> {
    /// The attribute, unless it is unknown or sensitive (then it stays symbolic, never printed).
    pub fn known(&self, attr: &str) -> Option<&Node> {
        if flagged(self.unknown, attr) || self.is_sensitive(attr) {
            return None;
        }
        self.values.get(attr).filter(|v| !v.is_null())
    }

    fn is_sensitive(&self, attr: &str) -> bool {
        match &self.sensitive {
            Sensitive::Mirror(m) => flagged(*m, attr),
            Sensitive::Paths(paths) => paths.iter().any(|p| {
                let first = p.as_seq().and_then(|s| s.first());
                first.and_then(|s| s.str_at(&["value"])) == Some(attr)
            }),
        }
    }
}

/// `true` at `attr`, or anywhere inside it, in an `after_unknown`/`after_sensitive` mirror.
fn flagged(mirror: Option<&Node>, attr: &str) -> bool {
    let Some(v) = mirror.and_then(|m| m.get(attr)) else {
        return mirror.and_then(Node::as_bool) == Some(true);
    };
    v.descendants().any(|n| n.as_bool() == Some(true))
}

/// Lower a plan or state in `root`; `false` when `root` is neither.
pub fn classify(
    file: &Arc<SourceFile>,
    root: &Node,
    out: &mut Classified,
    problems: &mut Vec<Problem>,
) -> bool {
    let Some(resources) = resources(root, problems) else {
        return false;
    };
    let resources = match resources {
        Ok(r) => r,
        Err(()) => return true,
    };
    lower::lower_all(file, root, &resources, out, problems);
    true
}

/// The resources of a plan/state; `None`: not that shape; `Some(Err)`: that shape, unreadable.
fn resources<'a>(
    root: &'a Node,
    problems: &mut Vec<Problem>,
) -> Option<Result<Vec<Resource<'a>>, ()>> {
    root.as_map()?;
    let has = |k: &str| root.get(k).is_some();
    let mut out = Vec::new();
    if let Some(format) = root.get("format_version").filter(|f| f.as_str().is_some()) {
        let plan = has("planned_values") || has("resource_changes") || has("prior_state");
        let state = root.path(&["values", "root_module"]).is_some();
        if !plan && !state {
            return None;
        }
        let major = format
            .as_str()
            .unwrap_or("")
            .split('.')
            .next()
            .unwrap_or("");
        if major != "0" && major != "1" {
            let what = if plan { "plan" } else { "state" };
            problems.push(Problem::new(
                format!(
                    "Terraform {what} JSON with format_version {}: only 0.x and 1.x are read; nothing in this file was checked",
                    format.as_str().unwrap_or("")
                ),
                format.span.start,
            ));
            return Some(Err(()));
        }
        if let Some(changes) = root.get("resource_changes").and_then(Node::as_seq) {
            plan_changes(changes, &mut out);
        } else if let Some(m) = root.path(&["planned_values", "root_module"]) {
            walk_module(m, &mut out);
        } else if let Some(m) = root
            .path(&["prior_state", "values", "root_module"])
            .or_else(|| root.path(&["values", "root_module"]))
        {
            walk_module(m, &mut out);
        }
        return Some(Ok(out));
    }
    let version = root.get("version")?;
    let state_like = has("lineage") || has("serial") || has("terraform_version");
    if !state_like {
        return None;
    }
    if version.as_str() != Some("4") {
        problems.push(Problem::new(
            format!(
                "Terraform state version {}: only version 4 (Terraform 0.12 and later) is read; nothing in this file was checked",
                version.as_str().unwrap_or("?")
            ),
            version.span.start,
        ));
        return Some(Err(()));
    }
    for r in root
        .get("resources")
        .and_then(Node::as_seq)
        .unwrap_or_default()
    {
        state_resource(r, &mut out);
    }
    Some(Ok(out))
}

fn managed(r: &Node) -> bool {
    r.str_at(&["mode"]).is_none_or(|m| m == "managed")
}

fn plan_changes<'a>(changes: &'a [Node], out: &mut Vec<Resource<'a>>) {
    for rc in changes.iter().filter(|r| managed(r)) {
        let (Some(address), Some(kind)) = (rc.str_at(&["address"]), rc.str_at(&["type"])) else {
            continue;
        };
        // A deleted resource has no `after`.
        let Some(after) = rc
            .path(&["change", "after"])
            .filter(|a| a.as_map().is_some())
        else {
            continue;
        };
        out.push(Resource {
            address: address.to_string(),
            kind,
            values: after,
            unknown: rc.path(&["change", "after_unknown"]),
            sensitive: Sensitive::Mirror(rc.path(&["change", "after_sensitive"])),
        });
    }
}

/// A `root_module` and its `child_modules`, iteratively.
fn walk_module<'a>(root: &'a Node, out: &mut Vec<Resource<'a>>) {
    let mut stack = vec![root];
    while let Some(m) = stack.pop() {
        for r in m
            .get("resources")
            .and_then(Node::as_seq)
            .unwrap_or_default()
        {
            let (Some(address), Some(kind), Some(values)) =
                (r.str_at(&["address"]), r.str_at(&["type"]), r.get("values"))
            else {
                continue;
            };
            if managed(r) {
                out.push(Resource {
                    address: address.to_string(),
                    kind,
                    values,
                    unknown: None,
                    sensitive: Sensitive::Mirror(r.get("sensitive_values")),
                });
            }
        }
        let children = m
            .get("child_modules")
            .and_then(Node::as_seq)
            .unwrap_or_default();
        stack.extend(children.iter().rev());
    }
}

/// A state v4 `resources[]` entry: one Resource per instance.
fn state_resource<'a>(r: &'a Node, out: &mut Vec<Resource<'a>>) {
    let (Some(kind), Some(name)) = (r.str_at(&["type"]), r.str_at(&["name"])) else {
        return;
    };
    if !managed(r) {
        return;
    }
    let module = r
        .str_at(&["module"])
        .map(|m| format!("{m}."))
        .unwrap_or_default();
    for inst in r
        .get("instances")
        .and_then(Node::as_seq)
        .unwrap_or_default()
    {
        let Some(values) = inst.get("attributes").filter(|a| a.as_map().is_some()) else {
            continue;
        };
        let index = match inst.get("index_key") {
            Some(k) if k.scalar().is_some_and(|s| s.plain) => {
                format!("[{}]", k.as_str().unwrap_or(""))
            }
            Some(k) => format!("[{:?}]", k.as_str().unwrap_or("")),
            None => String::new(),
        };
        out.push(Resource {
            address: format!("{module}{kind}.{name}{index}"),
            kind,
            values,
            unknown: None,
            sensitive: Sensitive::Paths(
                inst.get("sensitive_attributes")
                    .and_then(Node::as_seq)
                    .unwrap_or_default(),
            ),
        });
    }
}
