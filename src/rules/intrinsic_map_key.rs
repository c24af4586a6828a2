use crate::declare_rule;
use crate::diagnostics::finding::{Finding, Severity};
use crate::diagnostics::RuleMeta;
use crate::facts::{Object, Workspace};
use crate::frontends::cloudformation::{resolve::intrinsic, TEMPLATE_KIND};
use crate::rules::Rule;
use crate::syntax::yaml::{Node, NodeKind};

declare_rule! {
    /// A CloudFormation intrinsic (`!Sub`, `!Ref`, `${…}`) is used as a map key: CloudFormation takes it literally.
    ///
    /// ## What it checks
    /// Keys in the `Properties` of a template's resources that are an intrinsic function
    /// (`!Sub "${Issuer}:sub": …`, `{"Fn::Sub": …}` as a key) or that hold a `${Name}` variable
    /// outside an `Fn::Sub` string. IAM policy variables (`${aws:username}`) are not flagged.
    ///
    /// ## Why it matters
    /// CloudFormation resolves intrinsics in values only. In a trust policy the condition key is
    /// then the literal text `${Issuer}:sub`, which no token carries: the condition never matches
    /// and the role cannot be assumed (or, on a `StringNotEquals`, never restricts anything).
    ///
    /// ## Example
    /// ```yaml
    /// Condition:
    ///   StringEquals:
    ///     !Sub "${OidcIssuer}:sub": system:serviceaccount:default:app
    /// ```
    /// Fixed: write the whole document as a JSON string inside `!Sub`
    /// (`AssumeRolePolicyDocument: !Sub | {"Statement": [… "${OidcIssuer}:sub": …]}`).
    pub struct IntrinsicMapKey => ("IRSA040", "intrinsic-map-key", Severity::Error);
}

impl Rule for IntrinsicMapKey {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ws: &Workspace, out: &mut Vec<Finding>) {
        for t in ws.objects.iter().filter(|o| o.kind == TEMPLATE_KIND) {
            let resources = t
                .node
                .get("Resources")
                .and_then(Node::as_map)
                .unwrap_or_default();
            for r in resources {
                if let Some(props) = r.value.get("Properties") {
                    let id = r.key.as_str().unwrap_or("");
                    walk(t, id, props, false, out);
                }
            }
        }
    }
}

fn walk(t: &Object, id: &str, node: &Node, in_sub: bool, out: &mut Vec<Finding>) {
    match &node.kind {
        NodeKind::Scalar(_) => {}
        NodeKind::Seq(items) => items.iter().for_each(|i| walk(t, id, i, in_sub, out)),
        NodeKind::Map(entries) => {
            let sub = intrinsic(node).is_some_and(|(f, _)| f == "Fn::Sub");
            for e in entries {
                if !sub {
                    if let Some(what) = literal_key(&e.key, in_sub) {
                        out.push(
                            Finding::new(
                                &IntrinsicMapKey::META,
                                format!("{what} in a map key of resource `{id}`: CloudFormation takes keys literally, so it is never resolved"),
                            )
                            .at(t.location(e.key.span))
                            .object(crate::diagnostics::finding::ObjectRef::new("CloudFormation resource", None, id))
                            .help("intrinsics work in values only: write the document as a JSON string inside !Sub"),
                        );
                    }
                }
                walk(t, id, &e.value, in_sub || sub, out);
            }
        }
    }
}

/// What makes `key` an unresolved intrinsic, if anything.
fn literal_key(key: &Node, in_sub: bool) -> Option<String> {
    if let Some((f, _)) = intrinsic(key) {
        return Some(format!("`{f}`"));
    }
    let text = key.as_str()?;
    if in_sub {
        return None;
    }
    let mut rest = text;
    while let Some(i) = rest.find("${") {
        let var = rest[i + 2..].split('}').next().unwrap_or("");
        if is_cfn_variable(var) {
            return Some(format!("`${{{var}}}`"));
        }
        rest = &rest[i + 2..];
    }
    None
}

/// `AWS::Region`, `Logical`, `Logical.Attr` — not IAM's `aws:username`, `*`, `?`, `$`.
fn is_cfn_variable(var: &str) -> bool {
    let single_colon = var.contains(':') && !var.contains("::");
    !var.is_empty() && !single_colon && !matches!(var, "*" | "?" | "$")
}
