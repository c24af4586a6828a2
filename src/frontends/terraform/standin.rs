//! A text with unknown interpolations (`value::marker`) parsed as YAML or JSON: each unknown is
//! replaced by a stand-in token that is valid wherever a scalar or a part of one may be (inside a
//! JSON string, a plain YAML scalar, a flow mapping), the text is parsed, and every token is
//! mapped back to its unknown. `${split("/", var.x)[1]}` inside a JSON string no longer breaks
//! the string with its quotes: the document is kept, the unknown is one symbolic scalar in place.

use super::value::{marker, MARK};
use crate::syntax::yaml::{Node, NodeKind};

/// Opens and closes a stand-in token (private-use characters: printable in YAML and JSON,
/// never in a real configuration).
const OPEN: char = '\u{e001}';
const CLOSE: char = '\u{e002}';

/// `text` with each unknown replaced by a token, and the unknowns' references in order.
pub fn stand_in(text: &str) -> (String, Vec<String>) {
    let mut out = String::with_capacity(text.len());
    let mut refs = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find(MARK) {
        out.push_str(&rest[..i]);
        let after = &rest[i + MARK.len()..];
        let end = closing_brace(after).unwrap_or(after.len());
        out.push(OPEN);
        out.push_str(&refs.len().to_string());
        out.push(CLOSE);
        refs.push(after[..end].to_string());
        rest = after.get(end + 1..).unwrap_or("");
    }
    out.push_str(rest);
    (out, refs)
}

/// The byte index of the `}` that closes a marker (braces in the reference are balanced).
fn closing_brace(s: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in s.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => return Some(i),
            '}' => depth -= 1,
            _ => {}
        }
    }
    None
}

/// Put the unknowns back into every scalar (keys too) of a tree parsed from a stand-in text.
pub fn restore(root: &mut Node, refs: &[String]) {
    if refs.is_empty() {
        return;
    }
    let mut stack = vec![root];
    while let Some(n) = stack.pop() {
        match &mut n.kind {
            NodeKind::Scalar(s) if s.text.contains(OPEN) => {
                let markers: Vec<String> = refs.iter().map(|r| marker(r)).collect();
                s.text = fill(&s.text, &markers);
                s.plain = false;
            }
            NodeKind::Scalar(_) => {}
            NodeKind::Seq(items) => stack.extend(items.iter_mut()),
            NodeKind::Map(entries) => {
                for e in entries.iter_mut() {
                    stack.push(&mut e.key);
                    stack.push(&mut e.value);
                }
            }
        }
    }
}

/// `text` with each stand-in token replaced by its entry of `by`.
fn fill(text: &str, by: &[String]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(OPEN) {
        out.push_str(&rest[..i]);
        let after = &rest[i + OPEN.len_utf8()..];
        let end = after.find(CLOSE).unwrap_or(after.len());
        match after[..end].parse::<usize>().ok().and_then(|n| by.get(n)) {
            Some(r) => out.push_str(r),
            None => out.push_str(&after[..end]),
        }
        rest = after.get(end + CLOSE.len_utf8()..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

/// Write every unknown of a tree (keys too) as a value set at deploy time, `${module.x.arn}`,
/// the placeholder form every rule knows (a Helm values layer: what the chart receives is
/// known only at apply time, never a malformed value).
pub fn deploy_time(root: &mut Node) {
    let mut stack = vec![root];
    while let Some(n) = stack.pop() {
        match &mut n.kind {
            NodeKind::Scalar(s) if s.text.contains(MARK) => {
                let (text, refs) = stand_in(&s.text);
                let placeholders: Vec<String> = refs
                    .iter()
                    .map(|r| format!("${{{}}}", r.replace(['{', '}', ':'], " ").trim()))
                    .collect();
                s.text = fill(&text, &placeholders);
                s.plain = false;
            }
            NodeKind::Scalar(_) => {}
            NodeKind::Seq(items) => stack.extend(items.iter_mut()),
            NodeKind::Map(entries) => {
                for e in entries.iter_mut() {
                    stack.push(&mut e.key);
                    stack.push(&mut e.value);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> Node {
        let (t, refs) = stand_in(text);
        let stream = crate::syntax::yaml::parse(&t);
        assert!(stream.error.is_none(), "{:?}", stream.error);
        let mut root = stream.documents.into_iter().next().unwrap().root;
        restore(&mut root, &refs);
        root
    }

    #[test]
    fn a_quoted_reference_inside_a_json_string_keeps_the_document() {
        let text = format!(
            r#"{{"Condition": {{"StringEquals": {{"{}:sub": "system:serviceaccount:{}:app"}}}}}}"#,
            marker("local.oidc"),
            marker(r#"split("/", var.x)[1]"#)
        );
        let root = parsed(&text);
        let cond = root.path(&["Condition", "StringEquals"]).unwrap();
        let NodeKind::Map(entries) = &cond.kind else {
            panic!()
        };
        assert_eq!(
            entries[0].key.as_str(),
            Some(&*format!("{}:sub", marker("local.oidc")))
        );
        assert_eq!(
            entries[0].value.as_str(),
            Some(&*format!(
                "system:serviceaccount:{}:app",
                marker(r#"split("/", var.x)[1]"#)
            ))
        );
    }

    #[test]
    fn an_unquoted_unknown_is_one_scalar_in_yaml_and_json() {
        let yaml = format!("sa:\n  name: {}\n  create: true\n", marker("data.x.y"));
        let root = parsed(&yaml);
        assert_eq!(root.str_at(&["sa", "name"]), Some(&*marker("data.x.y")));
        let json = format!(r#"{{"a": {}, "b": "c"}}"#, marker("module.m.o"));
        assert_eq!(parsed(&json).str_at(&["a"]), Some(&*marker("module.m.o")));
    }

    #[test]
    fn deploy_time_unknowns_are_placeholders() {
        let mut root = parsed(&format!("a: {}\n", marker("module.k.iam_role_arn")));
        deploy_time(&mut root);
        assert_eq!(root.str_at(&["a"]), Some("${module.k.iam_role_arn}"));
        let found = crate::model::placeholder::whole_placeholder("${module.k.iam_role_arn}");
        assert!(found.is_some());
    }

    #[test]
    fn braces_in_a_reference_are_balanced() {
        let (t, refs) = stand_in(&format!("a{}b", marker("lookup({a = 1}, \"a\")")));
        assert_eq!(refs, vec!["lookup({a = 1}, \"a\")".to_string()]);
        assert!(t.starts_with('a') && t.ends_with('b'));
    }
}
