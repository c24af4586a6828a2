//! `--format dot`: the checked pairs as a Graphviz digraph, service account → role → OIDC
//! provider or Pod Identity; a broken link is a red edge labelled with its rule codes. Render it
//! with `dot -Tsvg`.

use std::fmt::Write as _;
use std::io::Write;

use super::graph::{Drawing, NodeKind};
use super::Report;

pub fn render(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    let d = Drawing::of(report);
    let mut s = String::from("digraph irsa {\n  rankdir=LR;\n  node [fontname=\"Helvetica\"];\n");
    if d.left_out > 0 {
        let _ = writeln!(
            s,
            "  label={};\n  labelloc=t;",
            quote(&format!(
                "{} of {} pairs drawn: only pairs with findings; {} left out",
                d.pairs - d.left_out,
                d.pairs,
                d.left_out
            ))
        );
    }
    for n in &d.nodes {
        let (shape, kind) = match n.kind {
            NodeKind::ServiceAccount => ("box", "serviceaccount"),
            NodeKind::Role => ("box, style=rounded", "role"),
            NodeKind::Provider => ("ellipse", "provider"),
        };
        let _ = writeln!(
            s,
            "  {} [label={}, shape={shape}, class=\"{kind}\"];",
            n.id,
            quote(&n.label)
        );
    }
    for e in &d.edges {
        if e.codes.is_empty() {
            let _ = writeln!(s, "  {} -> {};", e.from, e.to);
        } else {
            let codes: Vec<&str> = e.codes.iter().map(String::as_str).collect();
            let _ = writeln!(
                s,
                "  {} -> {} [color=\"#d73a49\", fontcolor=\"#d73a49\", penwidth=2, label={}];",
                e.from,
                e.to,
                quote(&codes.join(", "))
            );
        }
    }
    s.push_str("}\n");
    out.write_all(s.as_bytes())
}

/// A dot double-quoted string: `"` and `\` escaped, `&` as `&amp;` (Graphviz reads entities in
/// labels), line breaks as spaces (labels are one line).
fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '&' => out.push_str("&amp;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
