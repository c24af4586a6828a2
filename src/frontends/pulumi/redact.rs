//! A stack export may hold secrets (encrypted, or in plain text with `--show-secrets`) and
//! provider credentials. Right after parsing, its text is blanked in memory except for the
//! properties this front-end reads, and every secret object inside those is blanked too, so no
//! snippet or report can echo them. Offsets, lines and columns are unchanged.

use super::resources::{is_secret, shape, Resource, Shape};
use crate::syntax::yaml::{Node, Stream};

/// Properties kept per type token; every other value of the file is blanked.
const KEPT: &[(&str, &[&str])] = &[
    (super::lower::ROLE, &["name", "arn", "assumeRolePolicy"]),
    (
        super::lower::SERVICE_ACCOUNT,
        &["apiVersion", "kind", "metadata"],
    ),
    (
        super::lower::POD_IDENTITY,
        &["clusterName", "namespace", "serviceAccount", "roleArn"],
    ),
];

const HELM_KEPT: &[&str] = &[
    "chart",
    "path",
    "name",
    "namespace",
    "version",
    "values",
    "repo",
    "repositoryOpts",
    "fetchOpts",
];

/// How far into a file to look for the marks of Pulumi JSON when it did not parse.
const SNIFF: usize = 4096;

/// The redacted text when `text` is a Pulumi export or preview (or looks like one but did not
/// parse); `None` otherwise.
pub fn redacted(text: &str, stream: &Stream) -> Option<String> {
    let root = stream.documents.first().map(|d| &d.root);
    let mut kept: Vec<(usize, usize)> = Vec::new();
    let mut secrets: Vec<(usize, usize)> = Vec::new();
    match root {
        Some(root) => {
            let found = shape(root)?;
            if let Some(e) = root.entry("version") {
                kept.push((e.key.span.start.offset, e.value.span.end.offset));
            }
            if let Shape::Read(resources) = found {
                for r in &resources {
                    keep_resource(r, &mut kept, &mut secrets);
                }
            }
        }
        None if looks_like_pulumi(text) => {}
        None => return None,
    }
    let mut out = crate::frontends::tfplan::blank_except(text, kept);
    for (start, end) in secrets {
        out = blank_range(&out, start, end);
    }
    Some(out)
}

/// A file whose head shows Pulumi JSON: an object naming `urn:pulumi:` with a `deployment` or
/// `steps` key.
pub fn looks_like_pulumi(text: &str) -> bool {
    let mut end = text.len().min(SNIFF);
    while !text.is_char_boundary(end) {
        end = end.saturating_sub(1);
    }
    let head = &text[..end];
    head.trim_start().starts_with('{')
        && head.contains("urn:pulumi:")
        && ["\"deployment\"", "\"steps\""]
            .iter()
            .any(|k| head.contains(k))
}

fn keep_resource(r: &Resource, kept: &mut Vec<(usize, usize)>, secrets: &mut Vec<(usize, usize)>) {
    for key in ["urn", "type", "parent", "dependencies"] {
        if let Some(e) = r.node.entry(key) {
            kept.push((e.key.span.start.offset, e.value.span.end.offset));
        }
    }
    let props = match KEPT.iter().find(|(k, _)| *k == r.kind) {
        Some((_, props)) => *props,
        None if super::helm::is_helm(r.kind) => HELM_KEPT,
        None => &[],
    };
    for map in [r.inputs, r.outputs].into_iter().flatten() {
        for prop in props {
            if let Some(e) = map.entry(prop) {
                kept.push((e.key.span.start.offset, e.value.span.end.offset));
                secret_ranges(&e.value, secrets);
            }
        }
    }
}

fn secret_ranges(node: &Node, out: &mut Vec<(usize, usize)>) {
    for n in node.descendants() {
        if is_secret(n) {
            out.push((n.span.start.offset, n.span.end.offset));
        }
    }
}

/// `text` with the bytes of `start..end` that are not line breaks made spaces.
fn blank_range(text: &str, start: usize, end: usize) -> String {
    let mut bytes = text.as_bytes().to_vec();
    let end = end.min(bytes.len());
    for b in bytes.iter_mut().take(end).skip(start) {
        if *b != b'\n' && *b != b'\r' {
            *b = b' ';
        }
    }
    // Spans are char boundaries, and blanked bytes are ASCII spaces.
    String::from_utf8(bytes).unwrap_or_else(|_| {
        text.bytes()
            .map(|b| if b == b'\n' { '\n' } else { ' ' })
            .collect()
    })
}
