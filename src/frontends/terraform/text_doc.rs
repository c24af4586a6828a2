//! A JSON/YAML document held in a Terraform string (a heredoc, a quoted literal, a template
//! file), parsed into a tree whose spans point at the lines that wrote it. Unknown
//! interpolations are parsed through stand-in tokens (`standin`) and stay symbolic in place.

use super::standin::{restore, stand_in};
use super::value::Value;
use crate::syntax::source::SourceFile;
use crate::syntax::yaml::{Node, NodeKind, Pos, Scalar, Span};

/// The document a value holds, as a tree: an encoded value's own document, or a JSON/YAML text
/// parsed. In a heredoc, content line N is file line N after `<<EOT`; in a template file
/// (the value spans the whole file), content line N is line N (exact columns where the line is
/// verbatim, else its first character); a quoted literal maps character by character; other
/// strings point at the whole value. `file` is the file of `v.span`.
pub fn text_node(v: &Value, file: &SourceFile) -> Option<Node> {
    if let Some(doc) = &v.doc {
        return Some(doc.to_node());
    }
    let raw = v.to_text()?;
    let (text, refs) = stand_in(&raw);
    let start = v.span.start.offset.min(file.text.len());
    // A document written as one quoted string (in HCL, or JSON in a `.tf.json`): exact when the
    // literal at the span decodes to the value (escapes mapped one by one).
    if refs.is_empty() && file.text.get(start..).is_some_and(|t| t.starts_with('"')) {
        let holder = Node {
            kind: NodeKind::Scalar(Scalar {
                text: text.clone(),
                plain: false,
            }),
            span: v.span,
        };
        let stream = crate::frontends::jsonstr::parse_string_value(file, &holder)?;
        if stream.error.is_some() {
            return None;
        }
        return stream.documents.into_iter().next().map(|d| d.root);
    }
    let stream = crate::syntax::yaml::parse(&text);
    if stream.error.is_some() {
        return None;
    }
    let mut root = stream.documents.into_iter().next()?.root;
    place_lines(&mut root, v.span, &file.text, &text);
    restore(&mut root, &refs);
    Some(root)
}

/// Point the spans of a tree parsed from `text` (the value at `span` of `src`) at the file.
fn place_lines(root: &mut Node, span: Span, src: &str, text: &str) {
    let start = span.start.offset.min(src.len());
    let end = span.end.offset.clamp(start, src.len());
    let region = src.get(start..end).unwrap_or_default();
    let heredoc = region.starts_with("<<");
    let whole_file = start == 0 && end == src.len() && !heredoc;
    let header = usize::from(heredoc);
    // File lines of the value: (offset of the line, its text), the `<<EOT` line first.
    let mut lines = Vec::new();
    let mut at = start;
    for l in region.split_inclusive('\n') {
        lines.push((at, l.trim_end_matches(['\n', '\r'])));
        at += l.len();
    }
    let content: Vec<&str> = text.lines().collect();
    let marker = region
        .lines()
        .next()
        .map(|l| l.trim_start_matches('<').trim_start_matches('-').trim())
        .unwrap_or_default();
    let closing = heredoc && lines.last().is_some_and(|l| l.1.trim() == marker);
    let body_lines = lines
        .len()
        .saturating_sub(header)
        .saturating_sub(usize::from(closing));
    // Content line N is file line N only while no interpolation brought in a line break.
    let mapped = (heredoc || whole_file) && body_lines == content.len();
    let map = |p: Pos| -> Option<Pos> {
        let index = (p.line + header).checked_sub(1)?;
        let &(line_at, line_text) = lines.get(index).filter(|_| mapped)?;
        let content_line = content.get(p.line.saturating_sub(1)).copied().unwrap_or("");
        let byte_col = text_col_to_byte(content_line, p.column);
        let indent = content_line.len() - content_line.trim_start().len();
        let shift = line_text
            .find(content_line.trim_start())
            .map(|i| i as isize - indent as isize);
        let offset = match shift {
            Some(sh) if line_text.ends_with(content_line.trim()) => {
                (line_at as isize + sh + byte_col as isize).max(line_at as isize) as usize
            }
            _ => line_at + (line_text.len() - line_text.trim_start().len()),
        };
        let offset = offset.min(line_at + line_text.len());
        Some(Pos {
            offset,
            line: span.start.line + index,
            column: src
                .get(line_at..offset)
                .map_or(1, |s| s.chars().count() + 1),
        })
    };
    root.map_spans(&|s| match (map(s.start), map(s.end)) {
        (Some(start), Some(end)) if start.offset <= end.offset => Span { start, end },
        _ => span,
    });
}

/// The byte offset of a 1-based character column in a line.
fn text_col_to_byte(line: &str, column: usize) -> usize {
    line.char_indices()
        .nth(column.saturating_sub(1))
        .map_or(line.len(), |(i, _)| i)
}
