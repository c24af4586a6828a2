//! Documents inside a JSON string literal (a plan's `assume_role_policy`, a CloudFormation
//! `Fn::Sub` of a JSON policy): parsed on their own, every position mapped back to the escaped
//! bytes of the literal in the user's file. All offset arithmetic is checked.

use std::ops::Range;

use crate::syntax::embedded::parse_embedded;
use crate::syntax::source::SourceFile;
use crate::syntax::yaml::{self, Node, Pos, Span, Stream};

/// A string literal's content, and for each content byte the file offset it was written at.
struct Decoded {
    text: String,
    /// `offsets[i]`: file offset of content byte `i`; one more entry for the end.
    offsets: Vec<usize>,
}

/// Decode the double-quoted, single-line literal at `span`; `None` when it is not one.
fn decode_literal(file_text: &str, span: Span) -> Option<Decoded> {
    let start = span.start.offset;
    let raw = file_text.get(start..span.end.offset)?;
    let body = raw.strip_prefix('"')?.strip_suffix('"')?;
    let base = start.checked_add(1)?;
    let mut text = String::with_capacity(body.len());
    let mut offsets = Vec::with_capacity(body.len().checked_add(1)?);
    for (c, range) in decode_body(body).ok()? {
        // A line break written as such: not a single-line literal.
        if matches!(c, '\n' | '\r') && range.len() == 1 {
            return None;
        }
        let at = base.checked_add(range.start)?;
        for _ in 0..c.len_utf8() {
            offsets.push(at);
        }
        text.push(c);
    }
    offsets.push(base.checked_add(body.len())?);
    Some(Decoded { text, offsets })
}

/// Each decoded character with the body range it was written as.
pub(crate) type BodyChars = Vec<(char, Range<usize>)>;

/// The characters of a JSON string literal's body (between its quotes), each with the byte
/// range of the body it was written as (one byte, or an escape). Control characters written
/// as such are returned as they are (callers decide); a bad escape is `Err` with its offset.
pub(crate) fn decode_body(body: &str) -> Result<BodyChars, (&'static str, usize)> {
    let mut out = Vec::with_capacity(body.len());
    let mut chars = body.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let decoded = match c {
            '\\' => match chars.next().map(|(_, e)| e) {
                Some('"') => '"',
                Some('\\') => '\\',
                Some('/') => '/',
                Some('b') => '\u{8}',
                Some('f') => '\u{c}',
                Some('n') => '\n',
                Some('r') => '\r',
                Some('t') => '\t',
                Some('u') => unicode_escape(&mut chars).ok_or(("invalid \\u escape", i))?,
                _ => return Err(("invalid escape in a string", i)),
            },
            c => c,
        };
        let end = chars.peek().map_or(body.len(), |(j, _)| *j);
        out.push((decoded, i..end));
    }
    Ok(out)
}

/// `\uXXXX`, with a following `\uXXXX` for a surrogate pair.
fn unicode_escape(chars: &mut std::iter::Peekable<std::str::CharIndices>) -> Option<char> {
    let hex4 = |chars: &mut std::iter::Peekable<std::str::CharIndices>| -> Option<u32> {
        let s: String = (0..4).filter_map(|_| chars.next().map(|c| c.1)).collect();
        (s.len() == 4).then(|| u32::from_str_radix(&s, 16).ok())?
    };
    let hi = hex4(chars)?;
    if (0xD800..0xDC00).contains(&hi) {
        if chars.next()?.1 != '\\' || chars.next()?.1 != 'u' {
            return None;
        }
        let lo = hex4(chars)?.checked_sub(0xDC00).filter(|l| *l < 0x400)?;
        let code = 0x10000u32
            .checked_add((hi - 0xD800).checked_mul(0x400)?)?
            .checked_add(lo)?;
        return char::from_u32(code);
    }
    char::from_u32(hi)
}

/// Parse the string in `node` (a JSON/YAML document) with spans in `file`: exact for a
/// double-quoted single-line literal (escapes included), line by line for block scalars.
pub fn parse_string_value(file: &SourceFile, node: &Node) -> Option<Stream> {
    let content = node.as_str()?;
    let Some(decoded) = decode_literal(&file.text, node.span).filter(|d| d.text == content) else {
        return parse_embedded(file, node);
    };
    let mut stream = yaml::parse(&decoded.text);
    let remap = |p: Pos| map_pos(&file.text, node.span.start, &decoded, p);
    for doc in &mut stream.documents {
        remap_tree(&mut doc.root, &remap);
    }
    for dup in &mut stream.duplicate_keys {
        dup.first = remap_span(dup.first, &remap);
        dup.second = remap_span(dup.second, &remap);
    }
    if let Some(err) = &mut stream.error {
        err.pos = remap(err.pos);
    }
    for tag in &mut stream.tags {
        tag.offset = remap(pos_of_offset(tag.offset)).offset;
    }
    Some(stream)
}

fn pos_of_offset(offset: usize) -> Pos {
    Pos {
        offset,
        line: 1,
        column: 1,
    }
}

/// A content position → the file position of the byte it was written at (same line: the
/// literal has no raw line breaks).
fn map_pos(text: &str, literal: Pos, d: &Decoded, p: Pos) -> Pos {
    let last = d.offsets.len().saturating_sub(1);
    let offset = d
        .offsets
        .get(p.offset.min(last))
        .copied()
        .unwrap_or(literal.offset);
    let chars = text
        .get(literal.offset..offset)
        .map_or(0, |s| s.chars().count());
    Pos {
        offset,
        line: literal.line,
        column: literal.column.saturating_add(chars),
    }
}

fn remap_span(s: Span, f: &dyn Fn(Pos) -> Pos) -> Span {
    Span {
        start: f(s.start),
        end: f(s.end),
    }
}

fn remap_tree(node: &mut Node, f: &dyn Fn(Pos) -> Pos) {
    node.map_spans(&|s| remap_span(s, f));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value_of(text: &str) -> (SourceFile, Node) {
        let file = SourceFile::new("p.json", "p.json", text);
        let root = yaml::parse(text).documents.remove(0).root;
        let node = root.get("p").unwrap().clone();
        (file, node)
    }

    #[test]
    fn positions_land_inside_the_escaped_literal() {
        let text = "{\n  \"p\": \"{\\\"Effect\\\":\\\"Allow\\\",\\\"K\\\":\\\"\\u00e9x\\\"}\"\n}\n";
        let (file, node) = value_of(text);
        let s = parse_string_value(&file, &node).unwrap();
        let root = &s.documents[0].root;
        let allow = root.get("Effect").unwrap();
        let at = &text[allow.span.start.offset..allow.span.end.offset];
        assert_eq!(at, "\\\"Allow\\\"");
        assert_eq!(allow.span.start.line, 2);
        assert_eq!(allow.span.start.column, 21);
        let k = root.get("K").unwrap();
        assert_eq!(k.as_str(), Some("éx"));
        assert_eq!(
            &text[k.span.start.offset..k.span.end.offset],
            "\\\"\\u00e9x\\\""
        );
    }

    #[test]
    fn malformed_policy_reports_inside_the_string() {
        let text = "{\"p\": \"{\\\"Statement\\\": [}\"}";
        let (file, node) = value_of(text);
        let s = parse_string_value(&file, &node).unwrap();
        let err = s.error.unwrap();
        assert!(err.pos.offset > 7 && err.pos.offset < text.len(), "{err:?}");
    }

    #[test]
    fn bad_escapes_and_odd_spans_do_not_panic() {
        for raw in [
            "\"\\u12\"",
            "\"\\ud800\"",
            "\"\\ud800\\u0041\"",
            "\"\\q\"",
            "\"",
        ] {
            let _ = decode_literal(
                raw,
                Span {
                    start: pos_of_offset(0),
                    end: pos_of_offset(raw.len()),
                },
            );
        }
        let far = Span {
            start: pos_of_offset(usize::MAX - 1),
            end: pos_of_offset(usize::MAX),
        };
        assert!(decode_literal("\"x\"", far).is_none());
    }
}
