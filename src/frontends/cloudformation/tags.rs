//! Short-form intrinsics (`!Sub x`, `!GetAtt R.Arn`, `!If [...]`) lowered to their long form
//! (`{"Fn::Sub": x}`), so the rest of the front-end reads one shape. An unknown tag `!Name` is
//! `Fn::Name`, an unknown function: its value stays symbolic.

use std::collections::HashMap;

use crate::frontends::build::{map, scalar};
use crate::syntax::yaml::{Node, NodeKind, TagAt};

/// Tag → long-form key.
const INTRINSICS: &[(&str, &str)] = &[
    ("!Ref", "Ref"),
    ("!Sub", "Fn::Sub"),
    ("!GetAtt", "Fn::GetAtt"),
    ("!Join", "Fn::Join"),
    ("!If", "Fn::If"),
    ("!Select", "Fn::Select"),
    ("!Split", "Fn::Split"),
    ("!FindInMap", "Fn::FindInMap"),
    ("!Base64", "Fn::Base64"),
    ("!Cidr", "Fn::Cidr"),
    ("!GetAZs", "Fn::GetAZs"),
    ("!ImportValue", "Fn::ImportValue"),
    ("!Equals", "Fn::Equals"),
    ("!And", "Fn::And"),
    ("!Or", "Fn::Or"),
    ("!Not", "Fn::Not"),
    ("!Condition", "Condition"),
    ("!Transform", "Fn::Transform"),
    ("!Length", "Fn::Length"),
    ("!ToJsonString", "Fn::ToJsonString"),
    ("!ForEach", "Fn::ForEach"),
];

/// Rewrite every tagged node of `root` (tags by node start offset) into its long form.
pub fn lower_tags(text: &str, root: &Node, tags: &[TagAt]) -> Node {
    let mut out = root.clone();
    if tags.is_empty() {
        return out;
    }
    let by_offset: HashMap<(usize, char), &str> = tags
        .iter()
        .map(|t| ((t.offset, t.node), t.tag.as_str()))
        .collect();
    rewrite(text, &mut out, &by_offset);
    out
}

fn rewrite(text: &str, node: &mut Node, tags: &HashMap<(usize, char), &str>) {
    // Children first (the parser bounds depth, so recursion is bounded too).
    match &mut node.kind {
        NodeKind::Scalar(_) => {}
        NodeKind::Seq(items) => items.iter_mut().for_each(|n| rewrite(text, n, tags)),
        NodeKind::Map(entries) => {
            for e in entries.iter_mut() {
                rewrite(text, &mut e.key, tags);
                rewrite(text, &mut e.value, tags);
            }
        }
    }
    let kind = match node.kind {
        NodeKind::Scalar(_) => 's',
        NodeKind::Seq(_) => 'q',
        NodeKind::Map(_) => 'm',
    };
    let Some(tag) = tags.get(&(node.span.start.offset, kind)) else {
        return;
    };
    // A tag that is no intrinsic is read as CloudFormation (and cfn-lint) read it, `!Name` as
    // `Fn::Name`: a function this front-end does not know, so its value stays symbolic. Not a
    // broken file, and nothing to report: whoever deploys it gets CloudFormation's own answer.
    let long = match INTRINSICS.iter().find(|(t, _)| t == tag) {
        Some((_, long)) => long.to_string(),
        None => format!("Fn::{}", tag.trim_start_matches('!')),
    };
    let mut inner = node.clone();
    // `!GetAtt R.Arn` is the string form of `Fn::GetAtt: [R, Arn]`; both are read.
    if let NodeKind::Scalar(s) = &mut inner.kind {
        s.plain = false;
        skip_tag(text, &mut inner, tag.len());
    }
    let span = node.span;
    *node = map(span, vec![(scalar(&long, span), inner)]);
}

/// A scalar's span starts at its tag: move it to the value when that is on the same line.
fn skip_tag(text: &str, node: &mut Node, tag_len: usize) {
    let start = node.span.start.offset;
    let Some(after) = start
        .checked_add(tag_len)
        .and_then(|o| text.get(o..node.span.end.offset))
    else {
        return;
    };
    let spaces = after.len() - after.trim_start_matches([' ', '\t']).len();
    let Some(n) = tag_len.checked_add(spaces) else {
        return;
    };
    if after[spaces..].starts_with(['\n', '\r']) || n >= node.span.len() {
        return;
    }
    node.span.start.offset = start.saturating_add(n);
    node.span.start.column = node.span.start.column.saturating_add(n);
}
