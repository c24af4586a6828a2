//! The structure of a JSON-syntax file written out as HCL (`json_syntax`): top-level blocks and
//! their label levels, block bodies (which properties are nested blocks), arguments, and
//! expressions; every piece recorded in the map back to the JSON.

use std::ops::Range;

use super::json_map::Out;
use super::json_string::{Bad, Decoded};
use super::json_syntax::NESTED_BLOCKS;
use crate::syntax::yaml::{Entry, Node, NodeKind};

/// How each kind of body treats its properties.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Arguments and [`NESTED_BLOCKS`] (resources, data sources, their nested blocks).
    Blocks,
    /// Arguments only, leaving these out.
    Arguments(&'static [&'static str]),
    /// The body of a `dynamic` block.
    Dynamic,
    /// A `variable`: its `default` is a literal value, its `type` a type, not an expression.
    Variable,
}

/// Top-level block types: name, labels, body.
const TOP: &[(&str, usize, Kind)] = &[
    ("resource", 2, Kind::Blocks),
    ("data", 2, Kind::Blocks),
    ("module", 1, Kind::Arguments(&["depends_on", "providers"])),
    ("variable", 1, Kind::Variable),
    (
        "output",
        1,
        Kind::Arguments(&["depends_on", "precondition"]),
    ),
    ("locals", 0, Kind::Arguments(&[])),
];
/// Top-level block types nothing here reads.
const SKIPPED: &[&str] = &[
    "terraform",
    "provider",
    "moved",
    "import",
    "removed",
    "check",
    "ephemeral",
];
/// Meta-arguments of a resource that are not expressions.
const NOT_EXPRESSIONS: &[&str] = &[
    "depends_on",
    "provider",
    "lifecycle",
    "provisioner",
    "connection",
];

/// One file being written out as HCL.
pub struct Cx<'a> {
    pub json: &'a str,
    pub out: Out,
    /// Strings are literal values, not templates (variable files, a variable's `default`).
    pub literal: bool,
}

type Step = Result<(), Bad>;

impl<'a> Cx<'a> {
    pub fn top(&mut self, e: &'a Entry) -> Step {
        let name = key_text(e);
        if let Some((_, labels, kind)) = TOP.iter().find(|(n, _, _)| *n == name) {
            return self.blocks(name, &e.key, &e.value, *labels, &mut Vec::new(), *kind);
        }
        if name == "//" || SKIPPED.contains(&name) {
            return Ok(());
        }
        Err((
            format!("`{name}` is not a top-level block type (resource, data, module, variable, output, locals, provider, terraform, …)"),
            e.key.span.start.offset,
        ))
    }

    /// The blocks `ident` that `value` holds, after `left` more label levels.
    fn blocks(
        &mut self,
        ident: &str,
        key: &'a Node,
        value: &'a Node,
        left: usize,
        labels: &mut Vec<&'a Node>,
        kind: Kind,
    ) -> Step {
        if left > 0 {
            let levels: Vec<&Node> = match &value.kind {
                NodeKind::Seq(items) => items.iter().collect(),
                _ => vec![value],
            };
            for level in levels.into_iter().filter(|l| !l.is_null()) {
                let Some(entries) = level.as_map() else {
                    let what = format!("the labels of `{ident}` must be given as an object");
                    return Err((what, level.span.start.offset));
                };
                for e in entries.iter().filter(|e| key_text(e) != "//") {
                    labels.push(&e.key);
                    let done = self.blocks(ident, key, &e.value, left - 1, labels, kind);
                    labels.pop();
                    done?;
                }
            }
            return Ok(());
        }
        let bodies: Vec<&Node> = match &value.kind {
            NodeKind::Seq(items) => items.iter().collect(),
            _ if value.is_null() => Vec::new(),
            _ => vec![value],
        };
        for body in bodies {
            if body.as_map().is_none() {
                let what = format!("a `{ident}` block must be an object");
                return Err((what, body.span.start.offset));
            }
            self.block(ident, key, labels, body, kind)?;
        }
        Ok(())
    }

    fn block(
        &mut self,
        ident: &str,
        key: &Node,
        labels: &[&Node],
        body: &'a Node,
        kind: Kind,
    ) -> Step {
        // The keyword stands for the innermost label: the line where this block starts.
        let head = labels.last().copied().unwrap_or(key);
        self.out.token(ident, range(head));
        for label in labels {
            self.out.raw(" ");
            Decoded::read(self.json, range(label))?.emit(&mut self.out, false);
        }
        let (open, close) = brackets(body);
        self.out.raw(" ");
        self.out.token("{", open);
        self.out.raw("\n");
        self.body(body, kind)?;
        self.out.token("}", close);
        self.out.raw("\n");
        Ok(())
    }

    pub fn body(&mut self, body: &'a Node, kind: Kind) -> Step {
        for e in body.as_map().unwrap_or_default() {
            let name = key_text(e);
            let blocks = matches!(&e.value.kind, NodeKind::Map(_))
                || e.value.is_null()
                || e.value
                    .as_seq()
                    .is_some_and(|s| s.iter().all(|i| i.as_map().is_some()));
            match kind {
                _ if name == "//" => {}
                Kind::Arguments(skip) if skip.contains(&name) => {}
                Kind::Blocks if NOT_EXPRESSIONS.contains(&name) => {}
                Kind::Blocks if name == "dynamic" => {
                    self.blocks(name, &e.key, &e.value, 1, &mut Vec::new(), Kind::Dynamic)?
                }
                Kind::Blocks if blocks && NESTED_BLOCKS.contains(&name) => {
                    self.blocks(name, &e.key, &e.value, 0, &mut Vec::new(), Kind::Blocks)?
                }
                Kind::Dynamic if name == "content" => {
                    self.blocks(name, &e.key, &e.value, 0, &mut Vec::new(), Kind::Blocks)?
                }
                Kind::Dynamic if name == "iterator" => self.iterator(e)?,
                Kind::Variable if matches!(name, "type" | "validation") => {}
                Kind::Variable if name == "default" => {
                    let literal = std::mem::replace(&mut self.literal, true);
                    let done = self.argument(e);
                    self.literal = literal;
                    done?
                }
                _ => self.argument(e)?,
            }
        }
        Ok(())
    }

    /// `name = value`.
    fn argument(&mut self, e: &'a Entry) -> Step {
        self.name(e)?;
        self.expr(&e.value)?;
        self.out.raw("\n");
        Ok(())
    }

    /// A dynamic block's `iterator`: a name, written as a string in JSON.
    fn iterator(&mut self, e: &'a Entry) -> Step {
        let value = match &e.value.kind {
            NodeKind::Scalar(_) if opens_quoted(self.json, &e.value) => {
                Decoded::read(self.json, range(&e.value))?
            }
            _ => return self.argument(e),
        };
        if !is_identifier(&value.text) {
            return self.argument(e);
        }
        self.name(e)?;
        if value.is_verbatim() {
            self.out
                .verbatim(&value.text, e.value.span.start.offset.saturating_add(1));
        } else {
            self.out.token(&value.text, range(&e.value));
        }
        self.out.raw("\n");
        Ok(())
    }

    /// An argument's name and ` = `.
    fn name(&mut self, e: &Entry) -> Step {
        let key = Decoded::read(self.json, range(&e.key))?;
        if !is_identifier(&key.text) {
            let what = format!("`{}` is not a valid argument name", key.text);
            return Err((what, e.key.span.start.offset));
        }
        if key.is_verbatim() {
            self.out
                .verbatim(&key.text, e.key.span.start.offset.saturating_add(1));
        } else {
            self.out.token(&key.text, range(&e.key));
        }
        self.out.raw(" ");
        self.out.token("=", range(&e.key));
        self.out.raw(" ");
        Ok(())
    }

    fn expr(&mut self, node: &'a Node) -> Step {
        match &node.kind {
            NodeKind::Scalar(_) if opens_quoted(self.json, node) => {
                Decoded::read(self.json, range(node))?.emit(&mut self.out, !self.literal);
            }
            // `true`, `false`, `null` or a number (checked), as written.
            NodeKind::Scalar(s) if self.json.get(range(node)) == Some(s.text.as_str()) => {
                self.out.verbatim(&s.text, node.span.start.offset)
            }
            NodeKind::Scalar(s) => self.out.token(&s.text, range(node)),
            NodeKind::Seq(items) => {
                let (open, close) = brackets(node);
                self.out.token("[", open);
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        self.out.raw(", ");
                    }
                    self.expr(item)?;
                }
                self.out.token("]", close);
            }
            NodeKind::Map(entries) => {
                let (open, close) = brackets(node);
                self.out.token("{", open);
                self.out.raw("\n");
                for e in entries {
                    Decoded::read(self.json, range(&e.key))?.emit(&mut self.out, !self.literal);
                    self.out.raw(" = ");
                    self.expr(&e.value)?;
                    self.out.raw("\n");
                }
                self.out.token("}", close);
            }
        }
        Ok(())
    }
}

fn key_text(e: &Entry) -> &str {
    e.key.scalar().map_or("", |s| s.text.as_str())
}

fn range(node: &Node) -> Range<usize> {
    node.span.start.offset..node.span.end.offset
}

/// The opening and closing bracket of an object or array.
fn brackets(node: &Node) -> (Range<usize>, Range<usize>) {
    let (start, end) = (node.span.start.offset, node.span.end.offset);
    (
        start..start.saturating_add(1).min(end),
        end.saturating_sub(1).max(start)..end,
    )
}

/// An HCL identifier: a letter or `_`, then letters, digits, `_` and `-`.
fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_' || c == '-')
}

pub fn opens_quoted(json: &str, node: &Node) -> bool {
    json.get(node.span.start.offset..)
        .is_some_and(|t| t.starts_with('"'))
}
