//! A plan or state may hold secrets (tokens, passwords, private keys). Right after parsing, its
//! text is blanked in memory except for the attributes this front-end reads, so no snippet,
//! report format or `--fix` can echo anything else. Offsets, lines and columns are unchanged.

use super::{resources, Resource};
use crate::syntax::yaml::Stream;

/// Attributes kept per resource type; every other value of the file is blanked.
const KEPT: &[(&str, &[&str])] = &[
    ("aws_iam_role", &["name", "arn", "assume_role_policy"]),
    (
        "aws_iam_openid_connect_provider",
        &["arn", "url", "client_id_list"],
    ),
    (
        "aws_eks_pod_identity_association",
        &["cluster_name", "namespace", "service_account", "role_arn"],
    ),
    ("kubernetes_service_account", &["metadata"]),
    ("kubernetes_service_account_v1", &["metadata"]),
    (
        "kubernetes_annotations",
        &["kind", "metadata", "annotations"],
    ),
];

/// How far into a file to look for the marks of Terraform JSON when it did not parse.
const SNIFF: usize = 4096;

/// The redacted text when `text` is a Terraform plan or state (or looks like one but did not
/// parse: a truncated plan); `None` otherwise.
pub fn redacted(text: &str, stream: &Stream) -> Option<String> {
    let root = stream.documents.first().map(|d| &d.root);
    let mut kept: Vec<(usize, usize)> = Vec::new();
    match root {
        Some(root) => {
            let found = resources(root, &mut Vec::new())?;
            for key in ["format_version", "version"] {
                if let Some(e) = root.entry(key) {
                    kept.push((e.key.span.start.offset, e.value.span.end.offset));
                }
            }
            for r in found.iter().flatten() {
                keep_resource(r, &mut kept);
            }
        }
        None if looks_like_terraform(text) => {}
        None => return None,
    }
    Some(blank_except(text, kept))
}

fn looks_like_terraform(text: &str) -> bool {
    let mut end = text.len().min(SNIFF);
    while !text.is_char_boundary(end) {
        end = end.saturating_sub(1);
    }
    let head = &text[..end];
    head.trim_start().starts_with('{')
        && ["\"terraform_version\"", "\"format_version\"", "\"lineage\""]
            .iter()
            .any(|k| head.contains(k))
}

fn keep_resource(r: &Resource, kept: &mut Vec<(usize, usize)>) {
    let attrs = KEPT
        .iter()
        .find(|(k, _)| *k == r.kind)
        .map_or(&[][..], |k| k.1);
    for attr in attrs {
        if let Some(e) = r.values.entry(attr) {
            kept.push((e.key.span.start.offset, e.value.span.end.offset));
        }
    }
}

/// Every byte outside `kept` that is not a line break becomes a space.
pub(crate) fn blank_except(text: &str, mut kept: Vec<(usize, usize)>) -> String {
    kept.sort_unstable();
    let mut bytes = text.as_bytes().to_vec();
    let mut ranges = kept.into_iter().peekable();
    let mut i = 0;
    while i < bytes.len() {
        while ranges.peek().is_some_and(|&(_, end)| end <= i) {
            ranges.next();
        }
        if let Some(&(start, end)) = ranges.peek() {
            if start <= i {
                i = end.max(i.saturating_add(1));
                continue;
            }
        }
        if bytes[i] != b'\n' && bytes[i] != b'\r' {
            bytes[i] = b' ';
        }
        i += 1;
    }
    // Kept ranges are whole values (char boundaries), and blanked bytes are ASCII spaces.
    String::from_utf8(bytes).unwrap_or_else(|_| {
        text.bytes()
            .map(|b| if b == b'\n' { '\n' } else { ' ' })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_kept_ranges_survive() {
        let text = "ab\ncdé\nfg";
        let out = blank_except(text, vec![(3, 5)]);
        assert_eq!(out, "  \ncd  \n  ");
        assert_eq!(out.len(), text.len());
        assert_eq!(blank_except("xyz", vec![(1, 99)]), " yz");
    }
}
