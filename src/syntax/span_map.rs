//! Map positions inside a string value back to the file it was written in.
//!
//! Front-ends often parse text that lives *inside* a value: an AWS config in a block scalar, a
//! policy document in a JSON string, chart values in a CR's `spec.config`, HCL heredocs. The
//! inner text is not a byte-for-byte copy of the file (block indentation is stripped, quotes
//! and escapes are removed, folded lines are joined), so inner offsets cannot be added to the
//! value's start. **Every front-end maps inner ranges through this module** instead of doing
//! offset arithmetic itself: it only uses checked operations, never returns a span outside the
//! file, reversed, or inside a UTF-8 character, and falls back to the whole value's span when a
//! piece of the inner text cannot be found in the file. (Issue #16: a hand-written
//! `a - b` on block-scalar offsets underflowed on an unevenly indented block.)
//!
//! - [`InnerMap::locate`] once per value, then [`InnerMap::span`] for byte ranges of the inner
//!   text, or [`InnerMap::pos`] for positions of a tree parsed from it;
//! - [`span_in`] for a range of text that *is* a verbatim slice of the file at a base offset.

use std::ops::Range;

use crate::syntax::yaml::{pos_at, Pos, Span};

/// Where each line of an inner text was found in the file (`locate` once per value).
#[derive(Debug, Clone)]
pub struct InnerMap {
    lines: Vec<InnerLine>,
    /// The whole value: where anything that cannot be mapped lands.
    fallback: Span,
}

#[derive(Debug, Clone, Copy)]
struct InnerLine {
    /// Byte offset of the line in the inner text.
    inner: usize,
    /// Length of the line's body (without its line break).
    len: usize,
    /// Where the body starts in the file; `None` when it was not found there.
    file: Option<Pos>,
}

impl InnerMap {
    /// Find the lines of `inner` (the decoded content of the value at `value` in `text`) in
    /// order, from the value's start. Lines not found verbatim (escapes, folding) map to
    /// `value`.
    pub fn locate(text: &str, value: Span, inner: &str) -> InnerMap {
        let mut cursor = value.start.offset.min(text.len());
        // Search inside the value only (a line of it may well occur again further down).
        let limit = match value.end.offset.min(text.len()) {
            end if end > cursor => end,
            _ => text.len(),
        };
        let mut lines = Vec::new();
        let mut at = 0usize;
        for line in inner.split_inclusive('\n') {
            let body = line.trim_end_matches(['\n', '\r']);
            let found = if body.is_empty() {
                Some(cursor)
            } else {
                text.get(cursor..limit)
                    .and_then(|t| t.find(body))
                    .and_then(|i| cursor.checked_add(i))
            };
            if let Some(found) = found {
                cursor = found.saturating_add(body.len()).min(limit);
            }
            lines.push(InnerLine {
                inner: at,
                len: body.len(),
                file: found.map(|f| pos_at(text, f)),
            });
            at = at.saturating_add(line.len());
        }
        InnerMap {
            lines,
            fallback: value,
        }
    }

    /// Whether every non-empty line was found in the file.
    pub fn is_exact(&self) -> bool {
        self.lines.iter().all(|l| l.file.is_some() || l.len == 0)
    }

    /// The span of the value itself.
    pub fn fallback(&self) -> Span {
        self.fallback
    }

    /// The line holding inner byte `offset` (a line's end belongs to it).
    fn line_of(&self, offset: usize) -> Option<&InnerLine> {
        let i = self.lines.partition_point(|l| l.inner <= offset);
        let line = self.lines.get(i.checked_sub(1)?)?;
        (offset.checked_sub(line.inner)? <= line.len).then_some(line)
    }

    /// The file offset of inner byte `offset`, if its line was found.
    pub fn offset(&self, text: &str, offset: usize) -> Option<usize> {
        let line = self.line_of(offset)?;
        let within = offset.checked_sub(line.inner)?;
        let mapped = line.file?.offset.checked_add(within)?;
        (mapped <= text.len() && text.is_char_boundary(mapped)).then_some(mapped)
    }

    /// The file span of an inner byte range; the whole value when either end cannot be mapped.
    pub fn span(&self, text: &str, range: &Range<usize>) -> Span {
        let (Some(start), Some(end)) =
            (self.offset(text, range.start), self.offset(text, range.end))
        else {
            return self.fallback;
        };
        if start > end {
            return self.fallback;
        }
        Span {
            start: pos_at(text, start),
            end: pos_at(text, end),
        }
    }

    /// A position of a tree parsed from the inner text (1-based line and column in the inner
    /// text) as a file position; the value's start when its line was not found. Cheap: no scan
    /// of the file.
    pub fn pos(&self, text: &str, p: Pos) -> Pos {
        let line = p.line.checked_sub(1).and_then(|i| self.lines.get(i));
        let Some(line) = line.or(self.lines.last()) else {
            return self.fallback.start;
        };
        let Some(file) = line.file else {
            return self.fallback.start;
        };
        let within = match p.offset.checked_sub(line.inner) {
            Some(w) if p.line <= self.lines.len() => w.min(line.len),
            _ => return file,
        };
        let offset = file.offset.saturating_add(within);
        if offset > text.len() || !text.is_char_boundary(offset) {
            return file;
        }
        Pos {
            offset,
            line: file.line,
            column: file.column.saturating_add(p.column.saturating_sub(1)),
        }
    }

    /// A span of a tree parsed from the inner text: the whole value unless both ends map.
    pub fn span_of_inner(&self, text: &str, s: Span) -> Span {
        let (start, end) = (self.pos(text, s.start), self.pos(text, s.end));
        if start.offset > end.offset {
            self.fallback
        } else {
            Span { start, end }
        }
    }
}

/// The span of `range`, a range of a slice of `text` that starts at byte `base` (a literal
/// file read whole has `base` 0). Out-of-range or reversed ranges give an empty span at the
/// nearest valid position, never a panic.
pub fn span_in(text: &str, base: usize, range: &Range<usize>) -> Span {
    let at = |o: usize| {
        let mut o = base.saturating_add(o).min(text.len());
        while !text.is_char_boundary(o) {
            o -= 1;
        }
        o
    };
    let start = at(range.start);
    let end = at(range.end).max(start);
    Span {
        start: pos_at(text, start),
        end: pos_at(text, end),
    }
}

#[cfg(test)]
#[path = "span_map_tests.rs"]
mod tests;
