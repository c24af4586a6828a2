//! Template resources lowered into the manifest classifier's facts: trust policies (object or
//! `Fn::Sub` of a JSON string), ACK PodIdentityAssociation CRs, and the manifests embedded in
//! `Custom::KubeManifest` / `AWSQS::Kubernetes::Resource`.

use std::sync::Arc;

use super::resolve::{intrinsic, sub_parts, Resolver};
use crate::diagnostics::finding::ObjectRef;
use crate::facts::Classified;
use crate::facts::{PolicyInput, PolicySource};
use crate::frontends::build::{ack_pod_identity_association, entry, scalar};
use crate::frontends::jsonstr::parse_string_value;
use crate::frontends::manifest::classify_node;
use crate::model::policy::{parse_policy, PolicyError};
use crate::syntax::source::SourceFile;
use crate::syntax::yaml::{self, Entry, Node, NodeKind, Span};

/// Every scalar and intrinsic of `node` replaced by the string it resolves to (spans kept); an
/// `Fn::If` that the template's conditions decide is replaced by its branch (an
/// `AWS::NoValue` branch removes the entry or item), an undecided one is left as it is. Keys are
/// taken literally, as CloudFormation does.
pub fn resolve_tree(r: &mut Resolver, node: &Node, vars: Option<&Node>, in_sub: bool) -> Node {
    if let Some(json) = cdk_cfn_json(r, node) {
        return json;
    }
    if let Some((f, _)) = intrinsic(node) {
        if f == "Fn::If" {
            return match r.branch(node) {
                Some(chosen) if !is_no_value(chosen) => resolve_tree(r, chosen, vars, in_sub),
                Some(_) => node.clone(),
                // Undecided between two values (a parameter without a default): either may be
                // deployed, so both are taken, as a list (a condition or principal list matches
                // either).
                None => match undecided_branches(node) {
                    Some([a, b]) if a.scalar().is_some() && b.scalar().is_some() => Node {
                        kind: NodeKind::Seq(vec![
                            resolve_tree(r, a, vars, in_sub),
                            resolve_tree(r, b, vars, in_sub),
                        ]),
                        span: node.span,
                    },
                    _ => node.clone(),
                },
            };
        }
        if let Some(s) = r.string(node) {
            return scalar(&s, node.span);
        }
        // An intrinsic the template alone does not decide (`Fn::ImportValue`, `Fn::Select` of
        // a parameter…) is one value known at deploy time: symbolic, the rest still read.
        if f != "Condition" {
            return scalar(&format!("${{{f}}}"), node.span);
        }
    }
    match &node.kind {
        NodeKind::Scalar(s) if in_sub => Node {
            kind: NodeKind::Scalar(yaml::Scalar {
                text: r.substitute(&s.text, vars, node.span.start),
                plain: s.plain,
            }),
            span: node.span,
        },
        NodeKind::Scalar(_) => node.clone(),
        NodeKind::Seq(items) => {
            let mut out = Vec::new();
            for item in items {
                for i in list_items(r, item) {
                    if !removed(r, i) {
                        out.push(resolve_tree(r, i, vars, in_sub));
                    }
                }
            }
            Node {
                kind: NodeKind::Seq(out),
                span: node.span,
            }
        }
        NodeKind::Map(entries) => {
            let mut out = Vec::new();
            for e in entries {
                if !removed(r, &e.value) {
                    out.push(Entry {
                        key: literal_key(r, &e.key, vars, in_sub),
                        value: resolve_tree(r, &e.value, vars, in_sub),
                    });
                }
            }
            Node {
                kind: NodeKind::Map(out),
                span: node.span,
            }
        }
    }
}

/// The two branches of an `Fn::If`.
fn undecided_branches(node: &Node) -> Option<[&Node; 2]> {
    let (_, arg) = intrinsic(node)?;
    let [_, a, b] = arg.as_seq()? else {
        return None;
    };
    Some([a, b])
}

/// A list item; an undecided `Fn::If` item stands for both its branches (either may be
/// deployed, so both are checked), an `AWS::NoValue` branch for none.
fn list_items<'n>(r: &mut Resolver, item: &'n Node) -> Vec<&'n Node> {
    let undecided = intrinsic(item).is_some_and(|(f, _)| f == "Fn::If") && r.branch(item).is_none();
    match undecided_branches(item).filter(|_| undecided) {
        Some(both) => both.into_iter().filter(|b| !is_no_value(b)).collect(),
        None => vec![item],
    }
}

/// `Ref: AWS::NoValue`.
fn is_no_value(node: &Node) -> bool {
    matches!(intrinsic(node), Some(("Ref", v)) if v.as_str() == Some("AWS::NoValue"))
}

/// An entry or item whose decided `Fn::If` branch is `AWS::NoValue`: CloudFormation drops it.
fn removed(r: &mut Resolver, node: &Node) -> bool {
    is_no_value(node)
        || (intrinsic(node).is_some_and(|(f, _)| f == "Fn::If")
            && r.branch(node).is_some_and(is_no_value))
}

/// CDK puts condition maps whose keys need tokens in a `Custom::AWSCDKCfnJson` resource and
/// refers to it with `Fn::GetAtt [Json, Value]`: that value, parsed (spans: the JSON's property).
fn cdk_cfn_json(r: &mut Resolver, node: &Node) -> Option<Node> {
    let (f, arg) = intrinsic(node)?;
    let [id, attr] = arg.as_seq()? else {
        return None;
    };
    let id = id.as_str()?;
    if f != "Fn::GetAtt"
        || attr.as_str() != Some("Value")
        || r.t.resource_type(id) != Some("Custom::AWSCDKCfnJson")
    {
        return None;
    }
    let value = r.t.resources.get(id)?.path(&["Properties", "Value"])?;
    let text = r.string(value)?;
    let mut stream = yaml::parse(&text);
    let mut root = stream.documents.pop()?.root;
    respan(&mut root, value.span);
    Some(root)
}

/// A key as CloudFormation takes it: substituted inside a Sub'd JSON string, else literally (an
/// intrinsic in key position is text, see IRSA040).
fn literal_key(r: &mut Resolver, key: &Node, vars: Option<&Node>, in_sub: bool) -> Node {
    match (&key.kind, intrinsic(key)) {
        (NodeKind::Scalar(s), _) if in_sub => {
            scalar(&r.substitute(&s.text, vars, key.span.start), key.span)
        }
        (_, Some((_, arg))) => scalar(arg.as_str().unwrap_or(""), key.span),
        _ => key.clone(),
    }
}

/// A policy document property: an object (intrinsics inside resolved), or `Fn::Sub` of a JSON
/// string (parsed with spans inside the string, then substituted). `Err`: a string that is not JSON.
pub fn policy_node(file: &SourceFile, r: &mut Resolver, doc: &Node) -> Result<Node, PolicyError> {
    let sub = intrinsic(doc)
        .filter(|(f, _)| *f == "Fn::Sub")
        .and_then(|(_, a)| sub_parts(a));
    let (text_node, vars) = match sub {
        Some((t, vars)) if t.as_str().is_some() => (t, vars),
        _ if doc.as_str().is_some() => (doc, None),
        _ => return Ok(resolve_tree(r, doc, None, false)),
    };
    let invalid = |message: String, span: Span| PolicyError {
        message: format!("the policy string is not valid JSON: {message}"),
        span,
    };
    let Some(stream) = parse_string_value(file, text_node) else {
        return Err(invalid("cannot be read".into(), text_node.span));
    };
    match (stream.error, stream.documents.into_iter().next()) {
        (None, Some(d)) => Ok(resolve_tree(r, &d.root, vars, true)),
        (Some(e), _) => Err(invalid(
            e.message,
            Span {
                start: e.pos,
                end: e.pos,
            },
        )),
        (None, None) => Err(invalid("empty".into(), text_node.span)),
    }
}

pub fn lower_role(
    file: &Arc<SourceFile>,
    r: &mut Resolver,
    id: &str,
    res: &Node,
    out: &mut Classified,
) {
    let Some(doc) = res.path(&["Properties", "AssumeRolePolicyDocument"]) else {
        return;
    };
    let role_name = r.role_name(id, res.span.start);
    let source = PolicySource::CustomResource(ObjectRef::new(super::ROLE_KIND, None, id));
    let input = match policy_node(file, r, doc) {
        Ok(node) => PolicyInput {
            file: file.clone(),
            parsed: parse_policy(&node),
            node,
            source,
            role_name,
        },
        Err(e) => PolicyInput {
            file: file.clone(),
            node: doc.clone(),
            source,
            role_name,
            parsed: Err(e),
        },
    };
    out.policies.push(input);
}

/// `AWS::EKS::PodIdentityAssociation` → the ACK `PodIdentityAssociation` CR shape.
pub fn lower_pod_identity(
    file: &Arc<SourceFile>,
    r: &mut Resolver,
    id: &str,
    res: &Node,
    out: &mut Classified,
) {
    let span = res.span;
    let mut spec = Vec::new();
    for (prop, key) in [
        ("ClusterName", "clusterName"),
        ("Namespace", "namespace"),
        ("ServiceAccount", "serviceAccount"),
        ("RoleArn", "roleARN"),
    ] {
        if let Some(e) = res.get("Properties").and_then(|p| p.entry(prop)) {
            if let Some(v) = r.string(&e.value) {
                spec.push(entry(key, e.key.span, scalar(&v, e.value.span)));
            }
        }
    }
    let node = ack_pod_identity_association(id, span, spec);
    classify_node(file, &node, None, out);
}

/// The Kubernetes manifest of a `Custom::KubeManifest` (CDK: a JSON list, often a `Fn::Join`)
/// or `AWSQS::Kubernetes::Resource` (YAML, often `Fn::Sub`): each object classified as written.
pub fn lower_manifest(file: &Arc<SourceFile>, r: &mut Resolver, res: &Node, out: &mut Classified) {
    let Some(manifest) = res.path(&["Properties", "Manifest"]) else {
        return;
    };
    let objects: Vec<Node> = match manifest.kind {
        NodeKind::Map(_) if intrinsic(manifest).is_none() => {
            vec![resolve_tree(r, manifest, None, false)]
        }
        NodeKind::Seq(_) => vec![resolve_tree(r, manifest, None, false)],
        _ => manifest_from_string(file, r, manifest),
    };
    for root in objects {
        match root.as_seq() {
            Some(items) => items.iter().for_each(|i| classify_node(file, i, None, out)),
            None => classify_node(file, &root, None, out),
        }
    }
}

fn manifest_from_string(file: &SourceFile, r: &mut Resolver, manifest: &Node) -> Vec<Node> {
    let sub = intrinsic(manifest)
        .filter(|(f, _)| *f == "Fn::Sub")
        .and_then(|(_, a)| sub_parts(a));
    let parsed = match sub {
        Some((t, vars)) if t.as_str().is_some() => {
            parse_string_value(file, t).map(|s| (s, vars, true))
        }
        _ if manifest.as_str().is_some() => {
            parse_string_value(file, manifest).map(|s| (s, None, false))
        }
        // A `Fn::Join` of pieces: resolved whole; spans are the property's.
        _ => r.string(manifest).map(|text| {
            let mut s = yaml::parse(&text);
            for d in &mut s.documents {
                respan(&mut d.root, manifest.span);
            }
            (s, None, false)
        }),
    };
    let Some((stream, vars, in_sub)) = parsed else {
        return Vec::new();
    };
    stream
        .documents
        .iter()
        .map(|d| {
            let mut root = resolve_tree(r, &d.root, vars, in_sub);
            mark_symbolic_role_arns(&mut root);
            root
        })
        .collect()
}

/// A role ARN that substitution left symbolic (`${AWS::AccountId}` unknown) is set at deploy
/// time, not a placeholder the user wrote: it becomes wholly symbolic (`${Role.Arn}`), so the
/// account still has a role (IRSA053 says it was not checked) and is never paired by a guess.
fn mark_symbolic_role_arns(root: &mut Node) {
    let mut stack = vec![root];
    while let Some(n) = stack.pop() {
        match &mut n.kind {
            NodeKind::Scalar(_) => {}
            NodeKind::Seq(items) => stack.extend(items.iter_mut()),
            NodeKind::Map(entries) => {
                for e in entries.iter_mut() {
                    let is_role = e.key.as_str() == Some(crate::facts::ROLE_ARN_ANNOTATION);
                    match (&mut e.value.kind, is_role) {
                        (NodeKind::Scalar(s), true) if s.text.contains("${") => {
                            let role = s.text.rsplit(":role/").next().unwrap_or("role");
                            s.text = format!("${{{}.Arn}}", role.trim_start_matches("${"));
                        }
                        _ => stack.push(&mut e.value),
                    }
                }
            }
        }
    }
}

fn respan(node: &mut Node, span: Span) {
    node.span = span;
    match &mut node.kind {
        NodeKind::Scalar(_) => {}
        NodeKind::Seq(items) => items.iter_mut().for_each(|n| respan(n, span)),
        NodeKind::Map(entries) => entries.iter_mut().for_each(|e| {
            respan(&mut e.key, span);
            respan(&mut e.value, span);
        }),
    }
}
