//! The checked pairs as a Mermaid flowchart (inside `--format markdown`): service account →
//! role → OIDC provider or Pod Identity; a broken link is a red edge labelled with its codes.

use std::fmt::Write as _;

use super::graph::{Drawing, NodeKind};

/// The colour of a broken link (GitHub's red).
const RED: &str = "#d73a49";

/// The flowchart text (without the code fence).
pub fn flowchart(d: &Drawing) -> String {
    let mut s = String::from("flowchart LR\n");
    for n in &d.nodes {
        let label = escape(&n.label);
        let _ = match n.kind {
            NodeKind::ServiceAccount => writeln!(s, "  {}[\"{label}\"]", n.id),
            NodeKind::Role => writeln!(s, "  {}(\"{label}\")", n.id),
            NodeKind::Provider => writeln!(s, "  {}([\"{label}\"])", n.id),
        };
    }
    let mut red = Vec::new();
    for (i, e) in d.edges.iter().enumerate() {
        if e.codes.is_empty() {
            let _ = writeln!(s, "  {} --> {}", e.from, e.to);
        } else {
            let codes: Vec<&str> = e.codes.iter().map(String::as_str).collect();
            let _ = writeln!(
                s,
                "  {} -->|\"{}\"| {}",
                e.from,
                escape(&codes.join(", ")),
                e.to
            );
            red.push(i.to_string());
        }
    }
    if !red.is_empty() {
        let _ = writeln!(
            s,
            "  linkStyle {} stroke:{RED},stroke-width:2px,color:{RED}",
            red.join(",")
        );
    }
    s
}

/// A label as Mermaid reads it inside `"…"`: letters (any script), digits and plain
/// punctuation as they are; whitespace and control characters as one space; every other
/// character (quotes, brackets, `#`, `;`, `<`, `&`, backticks …) as a `#code;` entity.
pub fn escape(label: &str) -> String {
    let mut out = String::with_capacity(label.len());
    for c in label.chars() {
        if c.is_alphanumeric() || " -_./:@,+=".contains(c) {
            out.push(c);
        } else if c.is_whitespace() || c.is_control() {
            out.push(' ');
        } else {
            let _ = write!(out, "#{};", c as u32);
        }
    }
    out
}
