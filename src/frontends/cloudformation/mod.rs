//! CloudFormation templates, JSON or YAML with short-form tags (`!Sub`, `!Ref`, `!GetAtt`…):
//! hand-written, eksctl's `iamserviceaccount` stacks, CDK's `cdk.out/*.template.json`. Roles'
//! trust policies, Pod Identity associations and embedded ServiceAccount manifests are lowered
//! with spans into the template, so every existing rule applies; the template itself is kept as
//! an object for the template rules (IRSA040).

mod lower;
pub mod resolve;
mod tags;

use std::sync::Arc;

use crate::facts::Classified;
use crate::facts::Object;
use crate::frontends::Problem;
use crate::syntax::source::SourceFile;
use crate::syntax::yaml::{Node, Stream};

/// The kind under which a template is kept in `Workspace::objects`.
pub const TEMPLATE_KIND: &str = "AWS::CloudFormation::Template";

/// The object kind of a template's roles (their trust policies' source).
pub const ROLE_KIND: &str = "AWS::IAM::Role";

/// Is `root` a template: `AWSTemplateFormatVersion`, or `Resources` whose entries have an
/// `AWS::`/`Custom::`/`AWSQS::`-style `Type`.
pub fn is_template(root: &Node) -> bool {
    if root.get("AWSTemplateFormatVersion").is_some() {
        return true;
    }
    let Some(resources) = root.get("Resources").and_then(Node::as_map) else {
        return false;
    };
    !resources.is_empty()
        && resources
            .iter()
            .all(|e| e.value.str_at(&["Type"]).is_some_and(|t| t.contains("::")))
}

pub fn classify(
    file: &Arc<SourceFile>,
    stream: &Stream,
    out: &mut Classified,
    problems: &mut Vec<Problem>,
) -> bool {
    let Some(raw) = stream.documents.first().map(|d| &d.root) else {
        return false;
    };
    if !is_template(raw) {
        return false;
    }
    let root = tags::lower_tags(&file.text, raw, &stream.tags);
    out.duplicate_keys
        .extend(stream.duplicate_keys.iter().cloned());
    let template = resolve::Template::read(&root);
    let mut r = resolve::Resolver::new(&template);
    let mut ids: Vec<(&str, &Node)> = template.resources.iter().map(|(k, v)| (*k, *v)).collect();
    ids.sort_by_key(|(_, n)| n.span.start.offset);
    for (id, res) in ids {
        match res.str_at(&["Type"]).unwrap_or("") {
            "AWS::IAM::Role" => lower::lower_role(file, &mut r, id, res, out),
            "AWS::EKS::PodIdentityAssociation" => {
                lower::lower_pod_identity(file, &mut r, id, res, out)
            }
            "Custom::KubeManifest" | "AWSQS::Kubernetes::Resource" => {
                lower::lower_manifest(file, &mut r, res, out)
            }
            t if t.starts_with("Custom::") && res.path(&["Properties", "Manifest"]).is_some() => {
                lower::lower_manifest(file, &mut r, res, out)
            }
            _ => {}
        }
    }
    let mut seen = std::collections::HashSet::new();
    problems.extend(
        r.problems
            .into_iter()
            .filter(|p| seen.insert((p.message.clone(), p.pos))),
    );
    out.objects.push(Object {
        file: file.clone(),
        kind: TEMPLATE_KIND.into(),
        api_version: "cloudformation".into(),
        namespace: None,
        name: file.display.clone(),
        node: root,
        chart: None,
    });
    true
}
