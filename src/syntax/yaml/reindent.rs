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
const TAB_IN_FLOW: &str = "tabs disallowed within this context (block indentation)";

/// Whether the parser refused the text only for the indentation of a flow or quoted line.
/// (saphyr raises the bare "invalid indentation" only inside flow collections: in block
/// context the indentation stack is unrolled to the token's column first; the plain-scalar one
/// is raised in flow context only. Tabs are repaired only where the parser was in a flow.)
pub(super) fn repairable(err: &ParseError) -> bool {
    [IN_FLOW, IN_FLOW_SCALAR, IN_QUOTED, TAB_IN_FLOW].contains(&err.message.as_str())
}

/// How some lines' leading whitespace was rewritten.
#[derive(Debug, Default)]
pub(super) struct Shifts {
    /// 0-based line → its edit.
    edits: BTreeMap<usize, Edit>,
    /// The edited lines, in order.
    table: Vec<Row>,
}

/// A line's first `removed` bytes (blanks) were replaced by `added` spaces.
#[derive(Debug, Default, Clone, Copy)]
struct Edit {
    removed: usize,
    added: usize,
}

#[derive(Debug)]
struct Row {
    /// Where the line starts in the shifted text, and in the original.
    at: usize,
    original: usize,
    edit: Edit,
}

impl Shifts {
    fn edit_on(&self, line: usize) -> Edit {
        self.edits.get(&line).copied().unwrap_or_default()
    }

    /// The indentation of a line as the parser sees it after the edits (a tab counts one).
    fn width(&self, line: usize, content: &str) -> usize {
        let e = self.edit_on(line);
        e.added + blanks(&content[e.removed.min(content.len())..])
    }

    /// The original text with the edits made; fills the offset table.
    pub(super) fn apply(&mut self, text: &str) -> String {
        let mut out = String::with_capacity(text.len() + 64);
        self.table.clear();
        for (line, (start, content)) in line_starts(text).enumerate() {
            let Some(&edit) = self.edits.get(&line) else {
                out.push_str(content);
                continue;
            };
            self.table.push(Row {
                at: out.len(),
                original: start,
                edit,
            });
            out.extend(std::iter::repeat_n(' ', edit.added));
            out.push_str(&content[edit.removed.min(content.len())..]);
        }
        out
    }

    /// A position of the shifted text (byte offset, 1-based line and column) in the original.
    pub(super) fn to_original(&self, pos: Pos) -> Pos {
        let i = self.table.partition_point(|row| row.at <= pos.offset);
        let Some(row) = i.checked_sub(1).and_then(|j| self.table.get(j)) else {
            return pos;
        };
        let Edit { removed, added } = row.edit;
        let past_prefix = pos.offset.saturating_sub(row.at).saturating_sub(added);
        let offset = row.original + removed + past_prefix;
        let on_line = self.edit_on(pos.line.saturating_sub(1));
        let column = pos.column.max(on_line.added + 1) - on_line.added + on_line.removed;
        Pos {
            offset,
            line: pos.line,
            column,
        }
    }

    /// Rewrite the lines that `err` (in original coordinates) refused in `shifted` (the text
    /// as last parsed). `false`: not a line that can be repaired; the error stands.
    pub(super) fn repair(&mut self, text: &str, shifted: &str, err: &ParseError) -> bool {
        match err.message.as_str() {
            IN_QUOTED => self.repair_quoted(text, err.pos),
            IN_FLOW | IN_FLOW_SCALAR => self.repair_flow_line(text, err.pos),
            TAB_IN_FLOW => self.repair_tabs(text, shifted, err.pos),
            _ => false,
        }
    }

    /// The 0-based column in the shifted text of a 1-based original column on `line`.
    fn shifted_column(&self, line: usize, column: usize) -> usize {
        let e = self.edit_on(line);
        (column - 1).saturating_sub(e.removed) + e.added
    }

    /// The scalar opened by the quote at `quote`: every continuation line up to the closing
    /// quote is indented at least to the quote's column (deeper than the key that holds it).
    fn repair_quoted(&mut self, text: &str, quote: Pos) -> bool {
        let Some(end) = closing_quote(text, quote.offset) else {
            return false;
        };
        let first = quote.line - 1;
        let last = first + text[quote.offset..end].matches('\n').count();
        let target = self.shifted_column(first, quote.column);
        let mut changed = false;
        for (line, (_, content)) in line_starts(text).enumerate().take(last + 1).skip(first + 1) {
            // go-yaml refuses a document marker inside a quoted scalar too.
            if content.starts_with("---") || content.starts_with("...") {
                return false;
            }
            let width = self.width(line, content);
            if width < target && !content.trim().is_empty() {
                self.edits.entry(line).or_default().added += target - width;
                changed = true;
            }
        }
        changed
    }

    /// One line of a flow collection: indented one column deeper than the refused token, or as
    /// deep as the line before it, whichever is deeper. Repeated refusals deepen it further.
    fn repair_flow_line(&mut self, text: &str, at: Pos) -> bool {
        let line = at.line - 1;
        let column = self.shifted_column(line, at.column);
        let previous = line_starts(text)
            .take(line)
            .enumerate()
            .filter(|(_, (_, c))| !c.trim().is_empty() && !c.trim_start().starts_with('#'))
            .last()
            .map_or(0, |(l, (_, c))| self.width(l, c));
        let target = previous.max(column + 1);
        self.edits.entry(line).or_default().added += target - column;
        true
    }

    /// Tabs before the content of a line inside a flow collection (go-yaml allows them there;
    /// in block context they are indentation, refused by both): the blanks become spaces.
    fn repair_tabs(&mut self, text: &str, shifted: &str, at: Pos) -> bool {
        let line = at.line - 1;
        let Some((_, content)) = line_starts(text).nth(line) else {
            return false;
        };
        let shifted_start = line_starts(shifted).nth(line).map_or(0, |(s, _)| s);
        if !in_flow(&shifted[..shifted_start]) || self.edits.contains_key(&line) {
            return false;
        }
        let removed = content.len() - content.trim_start_matches([' ', '\t']).len();
        self.edits.insert(
            line,
            Edit {
                removed,
                added: removed,
            },
        );
        true
    }
}

/// Whether the end of `prefix` (a text cut at a line start) is inside a flow collection.
fn in_flow(prefix: &str) -> bool {
    let chars: Vec<char> = prefix.chars().collect();
    let mut open: Vec<bool> = Vec::new();
    for item in saphyr_parser::Parser::new_from_str(prefix) {
        let Ok((event, span)) = item else { break };
        match event {
            saphyr_parser::Event::SequenceStart(..) | saphyr_parser::Event::MappingStart(..) => {
                let c = chars.get(span.start.index()).copied();
                open.push(matches!(c, Some('[' | '{')));
            }
            saphyr_parser::Event::SequenceEnd | saphyr_parser::Event::MappingEnd => {
                open.pop();
            }
            _ => {}
        }
    }
    open.last().copied().unwrap_or(false)
}

/// Each line's start offset and text (with its line break).
fn line_starts(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split_inclusive('\n').scan(0, |at, line| {
        let start = *at;
        *at += line.len();
        Some((start, line))
    })
}

/// Leading blanks (a tab counts one column, as the parser counts it).
fn blanks(line: &str) -> usize {
    line.bytes()
        .take_while(|b| *b == b' ' || *b == b'\t')
        .count()
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
