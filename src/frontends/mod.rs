//! Layer 5: one module per input format. Each reads its inputs and lowers them into the
//! `syntax::yaml::Node` tree and `facts`; none imports the checks or the drivers.
//! Outside programs (helm) are run through [`runner`].
//!
//! [`lower_file`] is the one way in for a file that was read: it picks the front-end by the
//! file's name or shape. Charts (directories) go through [`helm::lint_chart`]. The recipe for a
//! new front-end is in `docs/architecture.md`.
pub mod aws_config;
pub mod discover;
pub mod eksa;
pub mod gitops;
pub mod helm;
pub mod helmfile;
pub mod kustomize;
pub mod manifest;
pub mod release;
pub mod runner;
pub mod template;
pub mod terraform;

use std::sync::Arc;

use crate::diagnostics::finding::Finding;
use crate::diagnostics::input::input_finding;
use crate::facts::Classified;
use crate::syntax::source::SourceFile;
use crate::syntax::yaml;

/// What a front-end made of one file: its facts, and the findings raised while reading it.
#[derive(Default)]
pub struct Lowered {
    pub facts: Classified,
    pub findings: Vec<Finding>,
}

/// Lower one file that was read into facts, with the front-end its name or shape calls for.
pub fn lower_file(file: &Arc<SourceFile>) -> Lowered {
    let mut out = Lowered::default();
    if discover::is_aws_config_name(&file.path) {
        eksa::classify_aws_config_file(file, &mut out.facts);
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
    if let Some(err) = &stream.error {
        let what = if file.file_name().ends_with(".json") {
            "JSON"
        } else {
            "YAML"
        };
        out.findings.push(input_finding(
            file,
            &format!("invalid {what}: {}", err.message),
            Some(err.pos),
        ));
    }
    manifest::classify(file, &stream, &mut out.facts);
}
