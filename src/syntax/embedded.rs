//! Documents embedded in a string value (an ACK Role's `assumeRolePolicyDocument`, a Package CR's
//! `spec.config`): parsed on their own, with spans mapped back into the enclosing file.

use crate::syntax::source::SourceFile;
use crate::syntax::yaml::{self, Node, NodeKind, Pos, Span, Stream};

/// Parse the string in `node` and map every span back into `file`. When the content cannot be
/// found line by line in the file (escapes, folding), spans fall back to the whole value.
pub fn parse_embedded(file: &SourceFile, node: &Node) -> Option<Stream> {
    let content = node.as_str()?;
    let mut stream = yaml::parse(content);
    let map = LineMap::locate(&file.text, node.span, content);
    let remap = |p: Pos| match &map {
        Some(m) => m.map(&file.text, p),
        None => node.span.start,
    };
    let remap_span = |s: Span| match &map {
        Some(_) => Span {
            start: remap(s.start),
            end: remap(s.end),
        },
        None => node.span,
    };
    for doc in &mut stream.documents {
        remap_node(&mut doc.root, &remap_span);
    }
    for dup in &mut stream.duplicate_keys {
        dup.first = remap_span(dup.first);
        dup.second = remap_span(dup.second);
    }
    if let Some(err) = &mut stream.error {
        err.pos = remap(err.pos);
    }
    Some(stream)
}

fn remap_node(node: &mut Node, f: &dyn Fn(Span) -> Span) {
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        n.span = f(n.span);
        match &mut n.kind {
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

/// Where each content line starts in the enclosing file.
struct LineMap {
    /// Per content line: (byte offset of the content line in the content, position in the file).
    lines: Vec<(usize, Pos)>,
    /// Just after the last content line's text: where positions past the content land.
    end: Pos,
}

impl LineMap {
    fn locate(text: &str, span: Span, content: &str) -> Option<LineMap> {
        let mut cursor = span.start.offset.min(text.len());
        let mut lines = Vec::new();
        let mut content_offset: usize = 0;
        for line in content.split_inclusive('\n') {
            let body = line.trim_end_matches(['\n', '\r']);
            let found = if body.is_empty() {
                cursor
            } else {
                cursor.checked_add(text.get(cursor..)?.find(body)?)?
            };
            lines.push((content_offset, yaml::pos_at(text, found)));
            cursor = found.saturating_add(body.len()).min(text.len());
            content_offset = content_offset.saturating_add(line.len());
        }
        let end = yaml::pos_at(text, cursor);
        Some(LineMap { lines, end })
    }

    fn map(&self, text: &str, p: Pos) -> Pos {
        let Some(&(line_start, file_pos)) = self.lines.get(p.line.saturating_sub(1)) else {
            return self.end;
        };
        let within = p.offset.saturating_sub(line_start);
        Pos {
            offset: file_pos.offset.saturating_add(within).min(text.len()),
            line: file_pos.line,
            column: file_pos.column.saturating_add(p.column.saturating_sub(1)),
        }
    }
}
