//! Two forms that go-yaml (and so kubectl and helm) reads but YAML 1.2, and saphyr-parser,
//! refuse: a line inside a flow collection, or a continuation line of a quoted scalar, indented
//! no deeper than the key that holds it:
//!
//! ```yaml
//! args: [
//!   "--a"
//! ]                      # `]` at the key's column
//! description: "a long
//! text"                  # continuation at the key's column
//! ```
//!
//! The leading spaces of such lines carry no meaning (flow context ignores them, quoted scalars
//! fold them away), so when the parser refuses one of them *for its indentation* that line is
//! indented further and the text parsed again. Lines only ever gain spaces at their start, so the
//! line numbers stay and every position maps back exactly ([`Shifts::to_original`]).

use std::collections::BTreeMap;

use super::{ParseError, Pos};

/// At most this many repairs (each one a new parse) per text.
pub(super) const MAX_REPAIRS: usize = 64;

const IN_FLOW: &str = "invalid indentation";
const IN_FLOW_SCALAR: &str = "invalid indentation in flow construct";
const IN_QUOTED: &str = "invalid indentation in quoted scalar";

/// Whether the parser refused the text only for the indentation of a flow or quoted line.
/// (saphyr raises the bare "invalid indentation" only inside flow collections: in block
/// context the indentation stack is unrolled to the token's column first; the plain-scalar one
/// is raised in flow context only.)
pub(super) fn repairable(err: &ParseError) -> bool {
    [IN_FLOW, IN_FLOW_SCALAR, IN_QUOTED].contains(&err.message.as_str())
}

/// Spaces added at the start of some lines, and where those lines start in both texts.
#[derive(Debug, Default)]
pub(super) struct Shifts {
    /// 0-based line → spaces added.
    added: BTreeMap<usize, usize>,
    /// The shifted lines, in order.
    table: Vec<Row>,
}

#[derive(Debug)]
struct Row {
    /// Where the line starts in the shifted text, and in the original.
    at: usize,
    original: usize,
    added: usize,
    /// Spaces added on the lines before it.
    before: usize,
}

impl Shifts {
    fn added_on(&self, line: usize) -> usize {
        self.added.get(&line).copied().unwrap_or(0)
    }

    /// The original text with the spaces added; fills the offset table.
    pub(super) fn apply(&mut self, text: &str) -> String {
        let extra: usize = self.added.values().sum();
        let mut out = String::with_capacity(text.len() + extra);
        self.table.clear();
        for (line, (start, content)) in line_starts(text).enumerate() {
            if let Some(&added) = self.added.get(&line) {
                let before = out.len() - start;
                self.table.push(Row {
                    at: out.len(),
                    original: start,
                    added,
                    before,
                });
                out.extend(std::iter::repeat_n(' ', added));
            }
            out.push_str(content);
        }
        out
    }

    /// A position of the shifted text (byte offset, 1-based line and column) in the original.
    pub(super) fn to_original(&self, pos: Pos) -> Pos {
        let i = self.table.partition_point(|row| row.at <= pos.offset);
        let Some(row) = i.checked_sub(1).and_then(|j| self.table.get(j)) else {
            return pos;
        };
        let offset = if pos.offset < row.at + row.added {
            row.original
        } else {
            pos.offset - row.before - row.added
        };
        let on_line = self.added_on(pos.line.saturating_sub(1));
        Pos {
            offset,
            line: pos.line,
            column: pos.column.saturating_sub(on_line).max(1),
        }
    }

    /// Indent further the lines that `err` (in original coordinates) refused. `false`: this is
    /// not a line that can be repaired; the error stands.
    pub(super) fn repair(&mut self, text: &str, err: &ParseError) -> bool {
        if err.message == IN_QUOTED {
            self.repair_quoted(text, err.pos)
        } else if err.message == IN_FLOW || err.message == IN_FLOW_SCALAR {
            self.repair_flow_line(text, err.pos)
        } else {
            false
        }
    }

    /// The scalar opened by the quote at `quote`: every continuation line up to the closing
    /// quote is indented at least to the quote's column (deeper than the key that holds it).
    fn repair_quoted(&mut self, text: &str, quote: Pos) -> bool {
        let Some(end) = closing_quote(text, quote.offset) else {
            return false;
        };
        let first = quote.line - 1;
        let target = quote.column - 1 + self.added_on(first);
        let mut changed = false;
        for (line, (_, content)) in line_starts(text).enumerate().skip(first + 1) {
            if line >= quote.line + text[quote.offset..end].matches('\n').count() {
                break;
            }
            // go-yaml refuses a document marker inside a quoted scalar too.
            if content.starts_with("---") || content.starts_with("...") {
                return false;
            }
            let indent = indentation(content) + self.added_on(line);
            if indent < target && !content.trim().is_empty() {
                *self.added.entry(line).or_default() += target - indent;
                changed = true;
            }
        }
        changed
    }

    /// One line of a flow collection: indented one column deeper than the refused token, or as
    /// deep as the line before it, whichever is deeper. Repeated refusals deepen it further.
    fn repair_flow_line(&mut self, text: &str, at: Pos) -> bool {
        let line = at.line - 1;
        let column = at.column - 1 + self.added_on(line);
        let previous = line_starts(text)
            .take(line)
            .enumerate()
            .filter(|(_, (_, c))| !c.trim().is_empty() && !c.trim_start().starts_with('#'))
            .last()
            .map_or(0, |(l, (_, c))| indentation(c) + self.added_on(l));
        let target = previous.max(column + 1);
        *self.added.entry(line).or_default() += target - column;
        true
    }
}

/// Each line's start offset and text (with its line break).
fn line_starts(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split_inclusive('\n').scan(0, |at, line| {
        let start = *at;
        *at += line.len();
        Some((start, line))
    })
}

fn indentation(line: &str) -> usize {
    line.bytes().take_while(|b| *b == b' ').count()
}

/// The offset just past the quote that closes the scalar opened at `open`.
fn closing_quote(text: &str, open: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let quote = *bytes.get(open)?;
    let mut i = open + 1;
    while i < bytes.len() {
        match (quote, bytes[i]) {
            (b'"', b'\\') => i += 2,
            (b'\'', b'\'') if bytes.get(i + 1) == Some(&b'\'') => i += 2,
            (q, b) if q == b => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}
