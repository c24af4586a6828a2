//! A plan's `configuration` section: which role a resource's expressions refer to, for values
//! known only after apply (a ServiceAccount annotated with `aws_iam_role.x.arn`).

use std::collections::HashMap;

use crate::syntax::yaml::Node;

#[derive(Default)]
pub struct ConfigRefs {
    /// Absolute resource address (no instance keys) → absolute `aws_iam_role` address.
    roles: HashMap<String, String>,
}

impl ConfigRefs {
    pub fn read(root: &Node) -> Self {
        let mut out = ConfigRefs::default();
        let Some(module) = root.path(&["configuration", "root_module"]) else {
            return out;
        };
        let mut stack = vec![(String::new(), module)];
        while let Some((prefix, m)) = stack.pop() {
            for r in m
                .get("resources")
                .and_then(Node::as_seq)
                .unwrap_or_default()
            {
                let (Some(address), Some(exprs)) = (r.str_at(&["address"]), r.get("expressions"))
                else {
                    continue;
                };
                if let Some(role) = first_role_reference(exprs) {
                    out.roles
                        .insert(format!("{prefix}{address}"), format!("{prefix}{role}"));
                }
            }
            for call in m
                .get("module_calls")
                .and_then(Node::as_map)
                .unwrap_or_default()
            {
                if let (Some(name), Some(child)) = (call.key.as_str(), call.value.get("module")) {
                    stack.push((format!("{prefix}module.{name}."), child));
                }
            }
        }
        out
    }

    /// The role that the resource instance `address` refers to, as an instance address.
    pub fn role_reference(&self, address: &str) -> Option<String> {
        self.roles.get(&strip_keys(address)).cloned()
    }
}

/// `aws_iam_role.NAME` from the first `references` entry naming a role.
fn first_role_reference(exprs: &Node) -> Option<String> {
    exprs
        .descendants()
        .filter_map(|n| n.get("references").and_then(Node::as_seq))
        .flatten()
        .filter_map(Node::as_str)
        .find_map(|r| {
            let mut parts = r.split('.');
            let (kind, name) = (parts.next()?, parts.next()?);
            (kind == "aws_iam_role").then(|| format!("aws_iam_role.{name}"))
        })
}

/// `module.a["x"].kubernetes_service_account.s[0]` → `module.a.kubernetes_service_account.s`.
fn strip_keys(address: &str) -> String {
    let mut out = String::with_capacity(address.len());
    let mut depth = 0usize;
    let mut quoted = false;
    for c in address.chars() {
        match c {
            '"' if depth > 0 => quoted = !quoted,
            '[' if !quoted => depth = depth.saturating_add(1),
            ']' if !quoted => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn instance_keys_are_stripped() {
        assert_eq!(super::strip_keys("module.a[\"x]\"].k.s[0]"), "module.a.k.s");
    }
}
