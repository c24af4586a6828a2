//! Terraform's JSON configuration syntax (`*.tf.json`, `*.tofu.json`) and JSON variable files
//! (`terraform.tfvars.json`, `*.auto.tfvars.json`), lowered to the HCL text they stand for, with
//! a map back to the JSON (`json_map`), so the evaluator reads one kind of body and findings
//! land on the user's JSON line and column.
//!
//! The JSON is read with the project's span-aware reader (duplicate keys and nesting depth are
//! errors there) and then checked to be JSON, not the YAML that reader also takes. Following
//! HashiCorp's JSON syntax: the root object's properties are the top-level block types, each
//! label level an object (or an array of them), the last level one block body or an array of
//! bodies; a `"//"` property of a body is a comment. In expressions a JSON string is a string
//! template (`${…}`/`%{…}` copied as HCL source, the rest escaped), object property names too;
//! numbers, booleans and null are literals. Variable files and a variable's `default` are
//! literal values (no templates), as Terraform reads them.
//!
//! JSON cannot tell a nested block from an object-valued argument, and Terraform decides by
//! the provider's schema, which is not at hand. So, in the body of a `resource` or `data` block
//! (and of its nested blocks), a property is a **block** when its name is one the evaluator
//! reads as a block — [`NESTED_BLOCKS`], and `dynamic` (one label; its `content` a block and
//! its `iterator` a name) — and its value is an object, an array of objects or null; anything
//! else is an argument. `module`, `variable`, `output` and `locals` bodies hold arguments only.
//! Meta-arguments that are not expressions (`depends_on`, `provider`, `lifecycle`, a variable's
//! `type`) and the blocks the evaluator never reads (`terraform`, `provider`, `moved`, …) are
//! left out. The walk is `json_body`; strings and templates are `json_string`.

use std::sync::Arc;

use hcl_edit::structure::Body;

use super::json_body::{opens_quoted, Cx, Kind};
use super::json_map::{Out, SourceMap};
use super::json_string::{Bad, Decoded};
use super::module::World;
use super::value::FileId;
use crate::syntax::hcl::HclError;
use crate::syntax::source::SourceFile;
use crate::syntax::yaml::{self, Node, NodeKind};

/// Properties of a resource body (and its nested blocks) read as blocks.
pub const NESTED_BLOCKS: &[&str] = &[
    "statement",
    "principals",
    "not_principals",
    "condition",
    "metadata",
    "set",
    "set_list",
    "set_sensitive",
];

/// What a JSON-syntax file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `*.tf.json`, `*.tofu.json`: blocks.
    Config,
    /// `*.tfvars.json`: variable values, literal.
    Vars,
}

/// The JSON syntax a file name calls for, if any.
pub fn mode_of(name: &str) -> Option<Mode> {
    if name.ends_with(".tf.json") || name.ends_with(".tofu.json") {
        Some(Mode::Config)
    } else if name.ends_with(".tfvars.json") {
        Some(Mode::Vars)
    } else {
        None
    }
}

/// The HCL a JSON-syntax file stands for, and where its pieces came from.
pub struct Generated {
    pub text: String,
    pub map: SourceMap,
}

/// Lower `file` (JSON syntax) and parse the HCL into the file table; `None` (with the error,
/// at its JSON position) when it is not valid.
pub fn parse(world: &World, file: SourceFile, mode: Mode) -> Option<(FileId, Body)> {
    let lowered = lower(&file.text, mode);
    let parsed = lowered
        .as_ref()
        .ok()
        .map(|g| crate::syntax::hcl::parse(&g.text));
    let id = match lowered {
        Ok(g) => world.files.add_generated(Arc::new(file), g),
        Err(e) => {
            let id = world.files.add(Arc::new(file));
            world.record(id, e);
            return None;
        }
    };
    match parsed? {
        Ok(body) => Some((id, body)),
        Err(e) => {
            let at = e.pos.offset;
            let message = e.message.trim_start_matches("invalid HCL: ");
            let error = HclError {
                message: format!("invalid Terraform JSON: {message}"),
                pos: world.files.span(id, Some(at..at)).start,
            };
            world.record(id, error);
            None
        }
    }
}

/// Lower a JSON-syntax text to HCL; errors have their JSON position.
pub fn lower(json: &str, mode: Mode) -> Result<Generated, HclError> {
    let error = |message: String, at: usize| HclError {
        message,
        pos: yaml::pos_at(json, at),
    };
    let stream = yaml::parse(json);
    if let Some(e) = &stream.error {
        return Err(HclError {
            message: format!("invalid JSON: {}", e.message),
            pos: e.pos,
        });
    }
    if let Some(d) = stream.duplicate_keys.first() {
        let message = format!("invalid JSON: the key `{}` is given twice", d.key);
        return Err(error(message, d.second.start.offset));
    }
    let root = match stream.documents.as_slice() {
        [doc] => &doc.root,
        [] => return Err(error("invalid JSON: the file holds no value".into(), 0)),
        [_, second, ..] => {
            let at = second.root.span.start.offset;
            return Err(error("invalid JSON: more than one value".into(), at));
        }
    };
    check(json, root).map_err(|(m, at)| error(format!("invalid JSON: {m}"), at))?;
    let Some(entries) = root.as_map() else {
        let message = "invalid Terraform JSON: the file must be one JSON object".to_string();
        return Err(error(message, root.span.start.offset));
    };
    let mut cx = Cx {
        json,
        out: Out::new(json.len()),
        literal: mode == Mode::Vars,
    };
    let done = match mode {
        Mode::Vars => cx.body(root, Kind::Arguments(&[])),
        Mode::Config => entries.iter().try_for_each(|e| cx.top(e)),
    };
    done.map_err(|(m, at)| error(format!("invalid Terraform JSON: {m}"), at))?;
    Ok(Generated {
        text: cx.out.text,
        map: cx.out.map,
    })
}

/// That a tree the reader took is JSON: objects and arrays in brackets, keys and strings in
/// double quotes with JSON escapes only, other scalars `true`, `false`, `null` or numbers.
fn check(json: &str, node: &Node) -> Result<(), Bad> {
    let at = node.span.start.offset;
    let opens = |c: char| json.get(at..).is_some_and(|t| t.starts_with(c));
    match &node.kind {
        NodeKind::Map(entries) => {
            if !opens('{') {
                return Err(("an object must be in braces".into(), at));
            }
            for e in entries {
                if !matches!(&e.key.kind, NodeKind::Scalar(_)) || !opens_quoted(json, &e.key) {
                    return Err((
                        "an object key must be a string".into(),
                        e.key.span.start.offset,
                    ));
                }
                check(json, &e.key)?;
                check(json, &e.value)?;
            }
            closes(json, entries.last().map(|e| &e.value), node)
        }
        NodeKind::Seq(items) => {
            if !opens('[') {
                return Err(("an array must be in brackets".into(), at));
            }
            items.iter().try_for_each(|i| check(json, i))?;
            closes(json, items.last(), node)
        }
        NodeKind::Scalar(s) if opens('"') => {
            let d = Decoded::read(json, node.span.start.offset..node.span.end.offset)?;
            if d.text != s.text {
                return Err(("not a JSON string".into(), at));
            }
            Ok(())
        }
        NodeKind::Scalar(s) if !s.plain => Err(("a string must be in double quotes".into(), at)),
        NodeKind::Scalar(s) if is_literal(&s.text) => Ok(()),
        NodeKind::Scalar(s) if s.text.is_empty() => Err(("a value is missing".into(), at)),
        NodeKind::Scalar(s) => Err((format!("`{}` is not a JSON value", s.text), at)),
    }
}

/// No comma after the last member of an object or array (the YAML reader takes one).
fn closes(json: &str, last: Option<&Node>, node: &Node) -> Result<(), Bad> {
    let from = last.map_or(node.span.start.offset.saturating_add(1), |l| {
        l.span.end.offset
    });
    match json
        .get(from..node.span.end.offset)
        .and_then(|t| t.find(','))
    {
        Some(i) => Err((
            "a comma before the closing bracket".into(),
            from.saturating_add(i),
        )),
        None => Ok(()),
    }
}

/// `true`, `false`, `null` or a JSON number.
fn is_literal(s: &str) -> bool {
    if matches!(s, "true" | "false" | "null") {
        return true;
    }
    let b = s.strip_prefix('-').unwrap_or(s).as_bytes();
    let digits = |i: usize| {
        b.get(i..)
            .map_or(0, |r| r.iter().take_while(|c| c.is_ascii_digit()).count())
    };
    let int = digits(0);
    if int == 0 || (b[0] == b'0' && int > 1) {
        return false;
    }
    let mut i = int;
    if b.get(i) == Some(&b'.') {
        let frac = digits(i + 1);
        if frac == 0 {
            return false;
        }
        i += 1 + frac;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let exp = digits(i);
        if exp == 0 {
            return false;
        }
        i += exp;
    }
    i == b.len()
}

#[cfg(test)]
#[path = "json_syntax_tests.rs"]
mod tests;
