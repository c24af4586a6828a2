//! A span-aware YAML (and JSON) tree built from `saphyr-parser` events.
//!
//! Every node keeps its byte range, line and column, so findings point at the exact key or value.
//! The builder never recurses, bounds nesting depth and alias expansion (alias bombs), and records
//! duplicate mapping keys instead of silently keeping the last one.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, ScanError};

/// Deeper nesting than this is rejected: no real manifest or policy comes close.
pub const MAX_DEPTH: usize = 256;
/// Total nodes that alias expansion may create in one stream before it is called a bomb.
pub const MAX_ALIAS_NODES: usize = 100_000;

/// A position in a source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash, PartialOrd, Ord)]
pub struct Pos {
    /// Byte offset into the text.
    pub offset: usize,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

/// A half-open range of a source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct Span {
    pub start: Pos,
    pub end: Pos,
}

impl Span {
    pub fn len(&self) -> usize {
        self.end.offset.saturating_sub(self.start.offset)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A zero-length span at line 1, column 1.
    pub fn with_start_line(self) -> Span {
        let start = Pos {
            offset: 0,
            line: 1,
            column: 1,
        };
        Span { start, end: start }
    }

    /// A span covering both `self` and `other`.
    pub fn to(&self, other: Span) -> Span {
        Span {
            start: self.start,
            end: other.end,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub kind: NodeKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind {
    Scalar(Scalar),
    Seq(Vec<Node>),
    Map(Vec<Entry>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Scalar {
    pub text: String,
    /// Quoted and block scalars are always strings; plain ones may be null, bool or numbers.
    pub plain: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: Node,
    pub value: Node,
}

/// One document of a stream.
#[derive(Debug, Clone)]
pub struct Document {
    pub root: Node,
    /// 0-based position in the stream.
    pub index: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ParseError {
    pub message: String,
    pub pos: Pos,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DuplicateKey {
    pub key: String,
    pub first: Span,
    pub second: Span,
}

/// Everything parsed from one text. Documents before a syntax error are kept.
#[derive(Debug, Default)]
pub struct Stream {
    pub documents: Vec<Document>,
    pub error: Option<ParseError>,
    pub duplicate_keys: Vec<DuplicateKey>,
    /// Local tags (`!Sub`, `!Ref`...), by the start offset of the node they tag. The tree itself
    /// ignores tags; front-ends that give them meaning (CloudFormation) read them here.
    pub tags: Vec<TagAt>,
}

/// A local tag and the node it tags.
#[derive(Debug, Clone, PartialEq)]
pub struct TagAt {
    /// Start offset of the tagged node.
    pub offset: usize,
    /// `'s'`calar, `'q'` (sequence) or `'m'`apping: a block mapping starts where its first key does.
    pub node: char,
    pub tag: String,
}

enum Frame {
    Seq {
        items: Vec<Node>,
        start: Pos,
        anchor: usize,
    },
    Map {
        entries: Vec<Entry>,
        key: Option<Node>,
        seen: HashMap<String, Span>,
        start: Pos,
        anchor: usize,
    },
}

/// Parse a YAML stream (JSON is accepted as the YAML subset it is), as go-yaml reads it: a flow
/// or quoted line that YAML 1.2 finds under-indented is accepted (see [`reindent`]).
pub fn parse(text: &str) -> Stream {
    let first = parse_text(text, None);
    if !first.error.as_ref().is_some_and(reindent::repairable) {
        return first;
    }
    let mut shifts = reindent::Shifts::default();
    let mut shifted = text.to_string();
    let mut last = first;
    for _ in 0..reindent::MAX_REPAIRS {
        let Some(err) = last.error.as_ref().filter(|e| reindent::repairable(e)) else {
            break;
        };
        if !shifts.repair(text, &shifted, err) {
            break;
        }
        shifted = shifts.apply(text);
        last = parse_text(&shifted, Some(&shifts));
    }
    last
}

/// Parse `text`, a re-indented copy of the user's text when `shifts` says how.
fn parse_text(text: &str, shifts: Option<&reindent::Shifts>) -> Stream {
    let mut out = Stream::default();
    let mut offsets = Offsets::new(text, shifts);
    let mut stack: Vec<Frame> = Vec::new();
    let mut anchors: HashMap<usize, (Node, usize)> = HashMap::new();
    let mut alias_budget = MAX_ALIAS_NODES;
    let mut doc_index = 0;
    let fail = |out: &mut Stream, message: String, pos: Pos| {
        out.error = Some(ParseError { message, pos });
    };

    for item in Parser::new_from_str(text) {
        let (event, span) = match item {
            Ok(ev) => ev,
            Err(e) => {
                let pos = scan_error_pos(&mut offsets, &e);
                let info = e.info();
                let message = if info.contains("recursion limit") {
                    format!("nesting too deep ({info})")
                } else {
                    info.to_string()
                };
                fail(&mut out, message, pos);
                return out;
            }
        };
        let ends_text = offsets.byte_of(span.end.index()) >= text.len();
        let span = offsets.span(&span);
        let completed = match event {
            Event::DocumentStart(_) => {
                anchors.clear();
                None
            }
            Event::DocumentEnd => None,
            Event::Scalar(value, style, anchor, tag) => {
                record_tag(&mut out.tags, span.start.offset, 's', tag.as_deref());
                let mut value = value.into_owned();
                // A block scalar whose last line ends the file without a line break: go-yaml
                // (as libyaml, PyYAML) keeps no final break there; saphyr adds one.
                if ends_text
                    && matches!(style, ScalarStyle::Literal | ScalarStyle::Folded)
                    && !text.ends_with('\n')
                    && value.ends_with('\n')
                {
                    value.pop();
                }
                Some((
                    Node {
                        kind: NodeKind::Scalar(Scalar {
                            text: value,
                            plain: style == ScalarStyle::Plain,
                        }),
                        span,
                    },
                    anchor,
                ))
            }
            Event::Alias(id) => {
                let Some((node, size)) = anchors.get(&id) else {
                    fail(
                        &mut out,
                        "alias refers to an unknown anchor".into(),
                        span.start,
                    );
                    return out;
                };
                if *size > alias_budget {
                    fail(
                        &mut out,
                        format!(
                            "alias expansion exceeds {MAX_ALIAS_NODES} nodes (a YAML alias bomb?)"
                        ),
                        span.start,
                    );
                    return out;
                }
                alias_budget -= size;
                let mut node = node.clone();
                node.span = span;
                Some((node, 0))
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _)
                if stack.len() >= MAX_DEPTH =>
            {
                let _ = anchor;
                fail(
                    &mut out,
                    format!("nesting deeper than {MAX_DEPTH} levels"),
                    span.start,
                );
                return out;
            }
            Event::SequenceStart(anchor, tag) => {
                record_tag(&mut out.tags, span.start.offset, 'q', tag.as_deref());
                stack.push(Frame::Seq {
                    items: Vec::new(),
                    start: span.start,
                    anchor,
                });
                None
            }
            Event::MappingStart(anchor, tag) => {
                record_tag(&mut out.tags, span.start.offset, 'm', tag.as_deref());
                stack.push(Frame::Map {
                    entries: Vec::new(),
                    key: None,
                    seen: HashMap::new(),
                    start: span.start,
                    anchor,
                });
                None
            }
            Event::SequenceEnd | Event::MappingEnd => match stack.pop() {
                Some(Frame::Seq {
                    items,
                    start,
                    anchor,
                }) => Some((
                    Node {
                        kind: NodeKind::Seq(items),
                        span: Span {
                            start,
                            end: span.end,
                        },
                    },
                    anchor,
                )),
                Some(Frame::Map {
                    entries,
                    start,
                    anchor,
                    ..
                }) => Some((
                    Node {
                        kind: NodeKind::Map(entries),
                        span: Span {
                            start,
                            end: span.end,
                        },
                    },
                    anchor,
                )),
                None => None,
            },
            Event::StreamStart | Event::StreamEnd | Event::Nothing => None,
        };
        let Some((node, anchor)) = completed else {
            continue;
        };
        if anchor > 0 {
            let size = node.count();
            anchors.insert(anchor, (node.clone(), size));
        }
        match stack.last_mut() {
            None => {
                out.documents.push(Document {
                    root: node,
                    index: doc_index,
                });
                doc_index += 1;
            }
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map {
                entries, key, seen, ..
            }) => match key.take() {
                None => *key = Some(node),
                Some(k) => {
                    if let Some(text) = k.as_str() {
                        if let Some(first) = seen.get(text) {
                            out.duplicate_keys.push(DuplicateKey {
                                key: text.to_string(),
                                first: *first,
                                second: k.span,
                            });
                        } else {
                            seen.insert(text.to_string(), k.span);
                        }
                    }
                    entries.push(Entry {
                        key: k,
                        value: node,
                    });
                }
            },
        }
    }
    out
}

/// Keep a local tag (`!Sub`); core-schema tags (`!!str`) change nothing here.
fn record_tag(tags: &mut Vec<TagAt>, offset: usize, node: char, tag: Option<&saphyr_parser::Tag>) {
    if let Some(t) = tag.filter(|t| !t.is_yaml_core_schema()) {
        tags.push(TagAt {
            offset,
            node,
            tag: format!("{}{}", t.handle, t.suffix),
        });
    }
}

fn scan_error_pos(offsets: &mut Offsets, e: &ScanError) -> Pos {
    offsets.pos(e.marker())
}

/// Byte offset → (line, column), both 1-based, column in characters. For errors found outside the parser.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text.as_bytes()[..offset];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let column = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    (line, column)
}

pub fn pos_at(text: &str, offset: usize) -> Pos {
    let (line, column) = line_col(text, offset);
    Pos {
        offset: offset.min(text.len()),
        line,
        column,
    }
}

mod node;
mod offsets;
pub use node::raw_view;
mod reindent;
use offsets::Offsets;
#[cfg(test)]
mod tests;
