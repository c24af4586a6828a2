//! Layer 5: one module per input format. Each reads its inputs and lowers them into the
//! `syntax::yaml::Node` tree and `facts`; none imports the checks or the drivers.
//! Outside programs (helm) are run through [`runner`].
//!
//! [`lower_file`] is the one way in for a file that was read: it picks the front-end by the
//! file's name or shape. Charts (directories) go through [`helm::lint_chart`]. The recipe for a
//! new front-end is in `docs/architecture.md`.
pub mod aws_config;
pub mod build;
pub mod cloudformation;
pub mod discover;
pub mod eksa;
pub mod gitops;
pub mod helm;
pub mod helmfile;
pub mod jsonstr;
pub mod kustomize;
pub mod manifest;
pub mod operators;
pub mod pod_identity;
pub mod pulumi;
pub mod release;
pub mod runner;
pub mod template;
pub mod terraform;
pub mod tfplan;
pub mod unread;

use std::sync::Arc;

use crate::diagnostics::finding::Finding;
use crate::diagnostics::input::input_finding;
use crate::facts::Classified;
use crate::syntax::source::SourceFile;
use crate::syntax::yaml::{self, Pos, Stream};

/// What a front-end made of one file: its facts, and the findings raised while reading it.
#[derive(Default)]
pub struct Lowered {
    pub facts: Classified,
    pub findings: Vec<Finding>,
    /// The file as kept, when a front-end replaced it (a Terraform state, redacted).
    pub file: Option<Arc<SourceFile>>,
}

/// Lower one file that was read into facts, with the front-end its name or shape calls for.
pub fn lower_file(file: &Arc<SourceFile>) -> Lowered {
    let mut out = Lowered::default();
    if discover::is_aws_config_name(&file.path) {
        eksa::classify_aws_config_file(file, &mut out.facts);
        return out;
    }
    // Pulumi programs and CDK apps are not run: a note when their output is not there.
    if pulumi::program::is_program_name(&file.path) {
        out.findings.extend(pulumi::program::note(file));
        return out;
    }
    lower_yaml(file, &mut out);
    out
}

/// YAML and JSON files: Kubernetes manifests, eksctl, IAM policies, CRs (`manifest`).
fn lower_yaml(file: &Arc<SourceFile>, out: &mut Lowered) {
    let stream = yaml::parse(&file.text);
    // A template is noted once, not linted as the manifest it is not.
    if let Some((kind, at)) = template::detect(file, &stream) {
        out.findings.push(template::note(file, &kind, at));
        return;
    }
    // A JSON Schema describes documents and is none of them (not even one for IAM policies).
    if is_json_schema(&stream) {
        return;
    }
    // A Terraform plan or state, or a Pulumi export, may hold secrets: only what is read of it
    // is kept.
    let redacted = tfplan::redacted(&file.text, &stream)
        .or_else(|| pulumi::redacted(&file.text, &stream))
        .map(|text| Arc::new(SourceFile::new(&file.path, &file.display, text)));
    let original = &file.text;
    let file = redacted.as_ref().unwrap_or(file);
    if let Some(err) = &stream.error {
        let what = if [".json", ".tfstate"]
            .iter()
            .any(|e| file.file_name().ends_with(e))
        {
            "JSON"
        } else {
            "YAML"
        };
        let what = if pulumi::looks_like_pulumi(original) {
            "JSON: a Pulumi stack export or preview must be the JSON `pulumi stack export` or `pulumi preview --json` writes"
        } else {
            what
        };
        out.findings.push(unread::parse_failure(
            file,
            original,
            &format!("invalid {what}: {}", err.message),
            Some(err.pos),
        ));
    }
    let mut problems = Vec::new();
    if !classify_resolved(file, &stream, &mut out.facts, &mut problems) {
        manifest::classify(file, &stream, &mut out.facts);
    }
    out.findings.extend(
        problems
            .into_iter()
            .map(|p| input_finding(file, &p.message, Some(p.pos))),
    );
    out.file = redacted;
}

/// `$schema` at the top with the keywords that describe other documents.
fn is_json_schema(stream: &Stream) -> bool {
    let [doc] = stream.documents.as_slice() else {
        return false;
    };
    let root = &doc.root;
    root.get("$schema").is_some()
        && [
            "properties",
            "definitions",
            "$defs",
            "items",
            "oneOf",
            "anyOf",
            "allOf",
        ]
        .iter()
        .any(|k| root.get(k).is_some())
}

/// Bad input a front-end found (reported as IRSA000 with file, line and column).
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub message: String,
    pub pos: Pos,
}

impl Problem {
    pub fn new(message: impl Into<String>, pos: Pos) -> Self {
        Problem {
            message: message.into(),
            pos,
        }
    }
}

/// Read `stream` as a Terraform plan/state (`tfplan`), a Pulumi export or preview (`pulumi`) or a
/// CloudFormation template (`cloudformation`) when it has that shape. `false`: neither; it is read as manifests.
fn classify_resolved(
    file: &Arc<SourceFile>,
    stream: &Stream,
    out: &mut Classified,
    problems: &mut Vec<Problem>,
) -> bool {
    let Some(root) = stream.documents.first().map(|d| &d.root) else {
        return false;
    };
    // Kubernetes objects (and lists of them) are the manifest classifier's.
    if stream.documents.len() != 1 || root.get("apiVersion").is_some() {
        return false;
    }
    tfplan::classify(file, root, out, problems)
        || pulumi::classify(file, root, out, problems)
        || cloudformation::classify(file, stream, out, problems)
}
