//! EKS Anywhere credential provider inputs: AWS config Secrets and literal files with a Roles
//! Anywhere `credential_process`, and the curated-package `Package` CR whose `spec.config` string
//! holds the chart values.

use std::path::PathBuf;
use std::sync::Arc;

use base64::Engine;

use crate::diagnostics::finding::ObjectRef;
use crate::facts::aws_config::CredentialProcess;
use crate::facts::{ArnValue, AwsConfigInput, Object};
use crate::facts::{ChartInput, RenderContext};
use crate::facts::{Classified, ExpectedArn};
use crate::frontends::aws_config::credential_processes;
use crate::syntax::embedded::parse_embedded;
use crate::syntax::source::SourceFile;
use crate::syntax::span_map::{span_in, InnerMap};
use crate::syntax::yaml::{Node, NodeKind, Scalar, Span};

const EXPECTED: [(&str, ExpectedArn); 3] = [
    ("--profile-arn", ExpectedArn::Profile),
    ("--role-arn", ExpectedArn::Role),
    ("--trust-anchor-arn", ExpectedArn::TrustAnchor),
];

/// A Secret's `stringData`/`data` values that hold an AWS config with a `credential_process`.
pub fn classify_secret(file: &Arc<SourceFile>, object: &Object, out: &mut Classified) {
    for (field, encoded) in [("stringData", false), ("data", true)] {
        for entry in object
            .node
            .get(field)
            .and_then(Node::as_map)
            .unwrap_or_default()
        {
            let Some(raw) = entry.value.as_str() else {
                continue;
            };
            let (text, mapped) = if encoded {
                let cleaned: String = raw.split_whitespace().collect();
                match base64::engine::general_purpose::STANDARD.decode(cleaned) {
                    Ok(bytes) => (String::from_utf8_lossy(&bytes).into_owned(), false),
                    Err(_) => continue,
                }
            } else {
                (raw.to_string(), true)
            };
            let processes = credential_processes(&text);
            if processes.is_empty() {
                continue;
            }
            let spans = if mapped {
                map_ranges(file, &entry.value, &text, &processes)
            } else {
                Vec::new()
            };
            push_config(
                file,
                processes,
                spans,
                entry.value.span,
                Some(object.object_ref()),
                out,
            );
        }
    }
}

/// A literal AWS config file (`credfile`, `config`, `*.ini`).
pub fn classify_aws_config_file(file: &Arc<SourceFile>, out: &mut Classified) {
    let processes = credential_processes(&file.text);
    if processes.is_empty() {
        return;
    }
    let spans = processes
        .iter()
        .flat_map(ranges_of)
        .map(|range| {
            let span = span_in(&file.text, 0, &range);
            (range, span)
        })
        .collect();
    push_config(
        file,
        processes,
        spans,
        Span::default().with_start_line(),
        None,
        out,
    );
}

fn ranges_of(cp: &CredentialProcess) -> Vec<std::ops::Range<usize>> {
    let mut ranges = vec![cp.line.clone()];
    ranges.extend(cp.region.iter().map(|(_, r)| r.clone()));
    ranges.extend(cp.args.iter().map(|(_, _, r)| r.clone()));
    ranges
}

/// Map each range of the config text into the file through [`InnerMap`] (block scalars are
/// indented in the file, so the text is not contiguous there). Unmapped ranges are left out:
/// `AwsConfigInput::span_of` then falls back to the whole value.
fn map_ranges(
    file: &SourceFile,
    node: &Node,
    text: &str,
    processes: &[CredentialProcess],
) -> Vec<(std::ops::Range<usize>, Span)> {
    let map = InnerMap::locate(&file.text, node.span, text);
    processes
        .iter()
        .flat_map(ranges_of)
        .filter_map(|range| {
            let span = map.span(&file.text, &range);
            (span != map.fallback()).then_some((range, span))
        })
        .collect()
}

fn push_config(
    file: &Arc<SourceFile>,
    processes: Vec<CredentialProcess>,
    spans: Vec<(std::ops::Range<usize>, Span)>,
    fallback: Span,
    object: Option<ObjectRef>,
    out: &mut Classified,
) {
    let config = AwsConfigInput {
        file: file.clone(),
        processes,
        spans,
        fallback,
        object,
    };
    for cp in &config.processes {
        for (flag, value, range) in &cp.args {
            let Some((_, expected)) = EXPECTED.iter().find(|(f, _)| f == flag) else {
                continue;
            };
            out.arn_values.push(ArnValue {
                file: file.clone(),
                node: Node {
                    kind: NodeKind::Scalar(Scalar {
                        text: value.clone(),
                        plain: true,
                    }),
                    span: config.span_of(range),
                },
                purpose: format!("credential_process {flag}"),
                expected: *expected,
                object: config.object.clone(),
            });
        }
    }
    out.aws_configs.push(config);
}

/// `packages.eks.amazonaws.com` `Package`: its `spec.config` is the chart's values, linted by the
/// rule packs as if given with `-f` (spans point into the CR).
pub fn classify_package(file: &Arc<SourceFile>, object: &Object, out: &mut Classified) {
    let root = &object.node;
    let Some(config) = root.path(&["spec", "config"]) else {
        return;
    };
    let Some(stream) = parse_embedded(file, config) else {
        return;
    };
    let Some(values) = stream.documents.into_iter().next().map(|d| d.root) else {
        return;
    };
    let name = root
        .str_at(&["spec", "packageName"])
        .unwrap_or(&object.name)
        .to_string();
    let namespace = root
        .str_at(&["spec", "targetNamespace"])
        .unwrap_or("default")
        .to_string();
    let dir = file
        .path
        .parent()
        .map_or_else(PathBuf::new, |p| p.to_path_buf());
    let context = Arc::new(RenderContext {
        chart_name: name.clone(),
        chart_dir: dir.clone(),
        chart_display: file.display.clone(),
        release_name: object.name.clone(),
        namespace,
        values_files: vec![file.clone()],
        set_args: Vec::new(),
        declared_by: None,
        declared_at: None,
    });
    out.charts.push(ChartInput {
        dir,
        display: file.display.clone(),
        name,
        context,
        values: vec![(file.clone(), values)],
        rendered: false,
    });
}
