//! Sort each parsed document into what the rules need: service accounts, workloads, policies, ARNs.

use std::sync::Arc;

use crate::diagnostics::finding::ObjectRef;
use crate::facts::{
    ArnValue, Classified, ExpectedArn, Object, PolicyInput, PolicySource, SaOrigin, ServiceAccount,
    Workload, ROLE_ARN_ANNOTATION,
};
use crate::model::policy::{looks_like_policy, parse_policy};
use crate::syntax::embedded::parse_embedded;
use crate::syntax::source::SourceFile;
use crate::syntax::yaml::{Node, Stream};

const WORKLOAD_KINDS: &[(&str, &[&str])] = &[
    ("Pod", &["spec"]),
    ("Deployment", &["spec", "template", "spec"]),
    ("StatefulSet", &["spec", "template", "spec"]),
    ("DaemonSet", &["spec", "template", "spec"]),
    ("ReplicaSet", &["spec", "template", "spec"]),
    ("ReplicationController", &["spec", "template", "spec"]),
    ("Job", &["spec", "template", "spec"]),
    (
        "CronJob",
        &["spec", "jobTemplate", "spec", "template", "spec"],
    ),
];

/// Classify every document of `stream`, read from `file`.
pub fn classify(file: &Arc<SourceFile>, stream: &Stream, out: &mut Classified) {
    out.duplicate_keys
        .extend(stream.duplicate_keys.iter().cloned());
    for doc in &stream.documents {
        classify_node(file, &doc.root, None, out);
    }
}

/// Classify one document, with `chart` set when it came out of a Helm render.
pub fn classify_node(
    file: &Arc<SourceFile>,
    root: &Node,
    chart: Option<&Arc<crate::facts::RenderContext>>,
    out: &mut Classified,
) {
    if root.as_map().is_none() {
        return;
    }
    let kind = root.str_at(&["kind"]);
    let api_version = root.str_at(&["apiVersion"]);
    let (Some(kind), Some(api_version)) = (kind, api_version) else {
        if looks_like_policy(root) {
            let parsed = parse_policy(root);
            let trust = parsed
                .as_ref()
                .is_ok_and(crate::model::policy::is_trust_policy);
            let role_name = match trust {
                true => role_name_from_file_name(file.file_name()),
                false => permission_role_name(file.file_name()),
            };
            out.policies.push(PolicyInput {
                file: file.clone(),
                node: root.clone(),
                source: PolicySource::File,
                role_name,
                parsed,
            });
        }
        return;
    };
    if kind == "List" {
        for item in root.get("items").and_then(Node::as_seq).unwrap_or_default() {
            classify_node(file, item, chart, out);
        }
        return;
    }
    let object = Object {
        file: file.clone(),
        kind: kind.to_string(),
        api_version: api_version.to_string(),
        namespace: root.str_at(&["metadata", "namespace"]).map(str::to_string),
        name: root.str_at(&["metadata", "name"]).unwrap_or("").to_string(),
        node: root.clone(),
        chart: chart.cloned(),
    };
    let group = api_version.split('/').next().unwrap_or("");
    match (group, kind) {
        ("v1", "ServiceAccount") => {
            let role_arn = object.annotation(ROLE_ARN_ANNOTATION).cloned();
            out.service_accounts.push(ServiceAccount {
                object,
                origin: SaOrigin::Manifest,
                role_arn,
            });
        }
        ("iam.services.k8s.aws", "Role") => {
            let doc = root.path(&["spec", "assumeRolePolicyDocument"]);
            let role = root
                .str_at(&["spec", "name"])
                .unwrap_or(&object.name)
                .to_string();
            push_inline_policy(file, doc, Some(role.clone()), &object, out);
            // `inlinePolicies`: policy name → policy JSON, the role's permissions.
            for e in root
                .path(&["spec", "inlinePolicies"])
                .and_then(Node::as_map)
                .unwrap_or_default()
            {
                push_inline_policy(file, Some(&e.value), Some(role.clone()), &object, out);
            }
            for arn in seq_at(root, &["spec", "policies"]) {
                push_arn(
                    file,
                    arn,
                    "spec.policies",
                    ExpectedArn::Policy,
                    &object,
                    out,
                );
            }
            out.objects.push(object);
        }
        ("iam.services.k8s.aws", "Policy") => {
            push_inline_policy(
                file,
                root.path(&["spec", "policyDocument"]),
                None,
                &object,
                out,
            );
            out.objects.push(object);
        }
        ("iam.aws.upbound.io" | "iam.aws.crossplane.io", "Role") => {
            let doc = root
                .path(&["spec", "forProvider", "assumeRolePolicy"])
                .or_else(|| root.path(&["spec", "forProvider", "assumeRolePolicyDocument"]));
            let role = object
                .annotation("crossplane.io/external-name")
                .and_then(|e| e.value.as_str())
                .unwrap_or(&object.name)
                .to_string();
            push_inline_policy(file, doc, Some(role.clone()), &object, out);
            for p in seq_at(root, &["spec", "forProvider", "inlinePolicy"]) {
                push_inline_policy(file, p.get("policy"), Some(role.clone()), &object, out);
            }
            out.objects.push(object);
        }
        ("iam.aws.upbound.io", "RolePolicy") => {
            let role = root
                .str_at(&["spec", "forProvider", "role"])
                .map(str::to_string);
            let doc = root.path(&["spec", "forProvider", "policy"]);
            push_inline_policy(file, doc, role, &object, out);
            out.objects.push(object);
        }
        ("eksctl.io", "ClusterConfig") => {
            classify_eksctl(file, root, &object, out);
            crate::frontends::pod_identity::classify_eksctl(file, root, &object, out);
        }
        ("eks.services.k8s.aws", "PodIdentityAssociation") => {
            crate::frontends::pod_identity::classify_ack(file, root, &object, out);
            out.objects.push(object);
        }
        ("v1", "Secret") => {
            crate::frontends::eksa::classify_secret(file, &object, out);
            out.objects.push(object);
        }
        ("packages.eks.amazonaws.com", "Package") => {
            crate::frontends::eksa::classify_package(file, &object, out);
            out.objects.push(object);
        }
        _ => {
            if let Some((_, path)) = WORKLOAD_KINDS.iter().find(|(k, _)| *k == kind) {
                if let Some(pod_spec) = root.path(path) {
                    let template = &path[..path.len() - 1];
                    let annotations_path: Vec<&str> = if kind == "Pod" {
                        vec!["metadata", "annotations"]
                    } else {
                        template
                            .iter()
                            .copied()
                            .chain(["metadata", "annotations"])
                            .collect()
                    };
                    // The pod spec is kept on its own; the object keeps only its metadata.
                    out.workloads.push(Workload {
                        pod_annotations: root.path(&annotations_path).cloned(),
                        pod_spec: pod_spec.clone(),
                        object: Object {
                            node: metadata_only(root),
                            ..object
                        },
                    });
                    return;
                }
            }
            // Other kinds are only read for their metadata (names, annotations, suppressions).
            out.objects.push(Object {
                node: metadata_only(root),
                ..object
            });
        }
    }
}

pub(crate) fn seq_at<'a>(node: &'a Node, path: &[&str]) -> &'a [Node] {
    node.path(path).and_then(Node::as_seq).unwrap_or_default()
}

pub(crate) fn push_arn(
    file: &Arc<SourceFile>,
    node: &Node,
    purpose: &str,
    expected: ExpectedArn,
    object: &Object,
    out: &mut Classified,
) {
    if node.as_str().is_some() {
        out.arn_values.push(ArnValue {
            file: file.clone(),
            node: node.clone(),
            purpose: purpose.to_string(),
            expected,
            object: Some(object.object_ref()),
        });
    }
}

/// A policy inside a CR: a JSON/YAML string (ACK, Crossplane) or an inline mapping.
fn push_inline_policy(
    file: &Arc<SourceFile>,
    doc: Option<&Node>,
    role_name: Option<String>,
    object: &Object,
    out: &mut Classified,
) {
    let Some(doc) = doc else { return };
    let source = PolicySource::CustomResource(object.object_ref());
    let node = if doc.as_map().is_some() {
        doc.clone()
    } else {
        let Some(stream) = parse_embedded(file, doc) else {
            return;
        };
        out.duplicate_keys
            .extend(stream.duplicate_keys.iter().cloned());
        match (stream.error, stream.documents.into_iter().next()) {
            (None, Some(d)) => d.root,
            (err, _) => {
                let message = err.map_or("empty policy document".to_string(), |e| e.message);
                out.policies.push(PolicyInput {
                    file: file.clone(),
                    node: doc.clone(),
                    source,
                    role_name,
                    parsed: Err(crate::model::policy::PolicyError {
                        message: format!("the embedded policy is not valid JSON: {message}"),
                        span: doc.span,
                    }),
                });
                return;
            }
        }
    };
    out.policies.push(PolicyInput {
        file: file.clone(),
        parsed: parse_policy(&node),
        node,
        source,
        role_name,
    });
}

/// eksctl `iam.serviceAccounts[]` become service accounts; their ARNs are checked too.
fn classify_eksctl(file: &Arc<SourceFile>, root: &Node, object: &Object, out: &mut Classified) {
    for sa in seq_at(root, &["iam", "serviceAccounts"]) {
        let namespace = sa.str_at(&["metadata", "namespace"]).unwrap_or("default");
        let name = sa.str_at(&["metadata", "name"]).unwrap_or("");
        let sa_object = Object {
            file: file.clone(),
            kind: "ServiceAccount".into(),
            api_version: "v1".into(),
            namespace: Some(namespace.to_string()),
            name: name.to_string(),
            node: sa.clone(),
            chart: None,
        };
        for arn in seq_at(sa, &["attachPolicyARNs"]) {
            push_arn(
                file,
                arn,
                "attachPolicyARNs",
                ExpectedArn::Policy,
                &sa_object,
                out,
            );
        }
        if let Some(b) = sa.get("permissionsBoundary") {
            push_arn(
                file,
                b,
                "permissionsBoundary",
                ExpectedArn::Policy,
                &sa_object,
                out,
            );
        }
        out.service_accounts.push(ServiceAccount {
            role_arn: sa.entry("attachRoleARN").cloned(),
            object: sa_object,
            origin: SaOrigin::Eksctl,
        });
    }
    for key in [
        "serviceRolePermissionsBoundary",
        "fargatePodExecutionRolePermissionsBoundary",
    ] {
        if let Some(b) = root.path(&["iam", key]) {
            push_arn(file, b, key, ExpectedArn::Policy, object, out);
        }
    }
}

/// `<role>.json`, `<role>.trust.json`, `<role>-trust-policy.json` (and `.yaml`) name the role.
pub fn role_name_from_file_name(file_name: &str) -> Option<String> {
    let stem = ["json", "yaml", "yml"]
        .iter()
        .find_map(|ext| file_name.strip_suffix(&format!(".{ext}")))?;
    let role = [".trust", "-trust-policy", "-trust", ".trust-policy"]
        .iter()
        .find_map(|s| stem.strip_suffix(s))
        .unwrap_or(stem);
    (!role.is_empty()).then(|| role.to_string())
}

/// A permission policy file names its role as `<role>.json`, `<role>-policy.json`,
/// `<role>_policy.json` or `<role>.policy.json` (and `.yaml`).
fn permission_role_name(file_name: &str) -> Option<String> {
    let role = role_name_from_file_name(file_name)?;
    let stem = ["-policy", "_policy", ".policy"]
        .iter()
        .find_map(|s| role.strip_suffix(s))
        .unwrap_or(&role);
    (!stem.is_empty()).then(|| stem.to_string())
}

/// An object reference for things that are not Kubernetes objects (IAM roles).
pub fn role_ref(name: &str) -> ObjectRef {
    ObjectRef::new("Role", None, name)
}

/// The object with only `apiVersion`, `kind` and `metadata` (spans and the object's span kept).
fn metadata_only(root: &Node) -> Node {
    let entries = root
        .as_map()
        .unwrap_or_default()
        .iter()
        .filter(|e| matches!(e.key.as_str(), Some("apiVersion" | "kind" | "metadata")))
        .cloned()
        .collect();
    Node {
        kind: crate::syntax::yaml::NodeKind::Map(entries),
        span: root.span,
    }
}
