//! Trust policies from Terraform: `data "aws_iam_policy_document"` evaluated into the JSON
//! document it renders, and `aws_iam_role.assume_role_policy` in every written form, lowered to
//! JSON-shaped `Node`s whose scalars point into the `.tf`.

use hcl_edit::structure::{Block, Body};

use super::eval::{iter_pairs, Eval};
use super::value::{FileId, Kind, Value};
use crate::syntax::yaml::{Node, Pos, Span};

/// The account of ARNs known only at apply time (see `facts::UNKNOWN_ACCOUNT`).
pub use crate::facts::UNKNOWN_ACCOUNT;

impl Eval<'_> {
    /// The document a `data "aws_iam_policy_document"` block renders.
    pub fn policy_document(&self, body: &Body, f: FileId, span: Span) -> Value {
        let mut statements: Vec<Value> = Vec::new();
        if let Some(a) = body.get_attribute("source_policy_documents") {
            statements.extend(doc_statements(&self.eval(&a.value, f)));
        }
        if let Some(a) = body.get_attribute("source_json") {
            statements.extend(doc_statements(&Value::new(
                Kind::List(vec![self.eval(&a.value, f)]),
                span,
                f,
            )));
        }
        for (block, binds) in self.blocks_named(body, "statement", f) {
            statements.push(self.with_bound(binds, || {
                self.statement(&block.body, f, self.span(f, block))
            }));
        }
        let overrides = body
            .get_attribute("override_policy_documents")
            .map(|a| doc_statements(&self.eval(&a.value, f)))
            .unwrap_or_default();
        for o in overrides {
            let sid = o.get("Sid").and_then(Value::as_str).map(str::to_string);
            match statements
                .iter_mut()
                .find(|s| sid.is_some() && s.get("Sid").and_then(Value::as_str) == sid.as_deref())
            {
                Some(s) => *s = o,
                None => statements.push(o),
            }
        }
        let version = body
            .get_attribute("version")
            .map(|a| self.eval(&a.value, f))
            .unwrap_or_else(|| Value::str("2012-10-17", span, f));
        let doc = obj(
            vec![
                ("Version", span, version),
                (
                    "Statement",
                    span,
                    Value::new(Kind::List(statements), span, f),
                ),
            ],
            span,
            f,
        );
        encoded(doc, span, f)
    }

    /// Blocks `name` of a body, and `dynamic "name"` blocks expanded over known collections;
    /// each with the names its content binds.
    pub fn blocks_named<'b>(
        &self,
        body: &'b Body,
        name: &str,
        f: FileId,
    ) -> Vec<(&'b Block, Vec<(String, Value)>)> {
        let mut out = Vec::new();
        for block in body.blocks() {
            if block.ident.as_str() == name {
                out.push((block, Vec::new()));
            } else if block.ident.as_str() == "dynamic"
                && block.labels.first().is_some_and(|l| l.as_str() == name)
            {
                let Some(content) = block.body.blocks().find(|b| b.ident.as_str() == "content")
                else {
                    continue;
                };
                let iterator = block
                    .body
                    .get_attribute("iterator")
                    .and_then(|a| match &a.value {
                        hcl_edit::expr::Expression::Variable(v) => Some(v.as_str().to_string()),
                        _ => None,
                    })
                    .unwrap_or_else(|| name.to_string());
                let coll = block
                    .body
                    .get_attribute("for_each")
                    .map(|a| self.eval(&a.value, f));
                let Some(pairs) = coll.as_ref().and_then(iter_pairs) else {
                    continue;
                };
                let pairs = match coll.map(|c| c.kind) {
                    Some(Kind::List(items)) => items.into_iter().map(|v| (v.clone(), v)).collect(),
                    _ => pairs,
                };
                for (k, v) in pairs {
                    let it = obj(
                        vec![("key", k.span, k), ("value", v.span, v)],
                        self.span(f, block),
                        f,
                    );
                    out.push((content, vec![(iterator.clone(), it)]));
                }
            }
        }
        out
    }

    fn statement(&self, body: &Body, f: FileId, span: Span) -> Value {
        let mut entries: Vec<(&str, Span, Value)> = Vec::new();
        let attr = |k: &str| {
            body.get_attribute(k)
                .map(|a| (self.span(f, &a.key), self.eval(&a.value, f)))
        };
        for (tf, json) in [
            ("sid", "Sid"),
            ("effect", "Effect"),
            ("actions", "Action"),
            ("not_actions", "NotAction"),
            ("resources", "Resource"),
            ("not_resources", "NotResource"),
        ] {
            if let Some((ks, v)) = attr(tf) {
                entries.push((json, ks, v));
            }
        }
        if !entries.iter().any(|(k, _, _)| *k == "Effect") {
            entries.push(("Effect", span, Value::str("Allow", span, f)));
        }
        for (block_name, json) in [
            ("principals", "Principal"),
            ("not_principals", "NotPrincipal"),
        ] {
            let mut by_type: Vec<(Value, Vec<Value>)> = Vec::new();
            let mut first = None;
            for (b, binds) in self.blocks_named(body, block_name, f) {
                first.get_or_insert(self.span(f, b));
                self.with_bound(binds, || {
                    let ty = b.body.get_attribute("type").map(|a| self.eval(&a.value, f));
                    let ids = b
                        .body
                        .get_attribute("identifiers")
                        .map(|a| self.eval(&a.value, f));
                    if let (Some(ty), Some(ids)) = (ty, ids) {
                        let ids: Vec<Value> = match ids.kind {
                            Kind::List(items) => items,
                            _ => vec![ids],
                        };
                        match by_type
                            .iter_mut()
                            .find(|(t, _)| t.to_text() == ty.to_text())
                        {
                            Some((_, existing)) => existing.extend(ids),
                            None => by_type.push((ty, ids)),
                        }
                    }
                });
            }
            if let Some(ps) = first {
                let map = by_type
                    .into_iter()
                    .map(|(t, ids)| {
                        let span = t.span;
                        // `type = "*"` with `identifiers = ["*"]` is `"Principal": "*"`.
                        (t, Value::new(Kind::List(ids), span, f))
                    })
                    .collect();
                entries.push((json, ps, Value::new(Kind::Map(map), ps, f)));
            }
        }
        let mut conditions: Vec<(Value, Vec<(Value, Value)>)> = Vec::new();
        let mut first = None;
        for (b, binds) in self.blocks_named(body, "condition", f) {
            first.get_or_insert(self.span(f, b));
            self.with_bound(binds, || {
                let get = |k: &str| b.body.get_attribute(k).map(|a| self.eval(&a.value, f));
                let (Some(test), Some(var), Some(values)) =
                    (get("test"), get("variable"), get("values"))
                else {
                    return;
                };
                match conditions
                    .iter_mut()
                    .find(|(t, _)| t.to_text() == test.to_text())
                {
                    Some((_, keys)) => keys.push((var, values)),
                    None => conditions.push((test, vec![(var, values)])),
                }
            });
        }
        if let Some(cs) = first {
            let map = conditions
                .into_iter()
                .map(|(t, keys)| {
                    let span = t.span;
                    (t, Value::new(Kind::Map(keys), span, f))
                })
                .collect();
            entries.push(("Condition", cs, Value::new(Kind::Map(map), cs, f)));
        }
        obj(entries, span, f)
    }
}

/// The statements of each policy document (a JSON string, or one made by jsonencode or a
/// policy document) in a list.
fn doc_statements(docs: &Value) -> Vec<Value> {
    let mut out = Vec::new();
    for d in docs.as_list().unwrap_or_default() {
        if let Some(doc) = d.doc.as_deref() {
            match doc.get("Statement").map(|s| &s.kind) {
                Some(Kind::List(items)) => out.extend(items.iter().cloned()),
                Some(_) => out.extend(doc.get("Statement").cloned()),
                None => {}
            }
        }
    }
    out
}

pub fn obj(entries: Vec<(&str, Span, Value)>, span: Span, f: FileId) -> Value {
    let entries = entries
        .into_iter()
        .map(|(k, ks, v)| (Value::str(k, ks, f), v))
        .collect();
    Value::new(Kind::Map(entries), span, f)
}

/// A JSON string that remembers the value it encodes.
pub fn encoded(doc: Value, span: Span, f: FileId) -> Value {
    let text = serde_json::to_string(&doc.to_json()).unwrap_or_default();
    let mut v = Value::new(
        Kind::Str {
            text,
            partial: doc.has_unknown(),
        },
        span,
        f,
    );
    v.doc = Some(Box::new(doc));
    v
}

/// The document a value holds, as a tree: an encoded value's own document, or a JSON/YAML text
/// parsed. In a heredoc, content line N is file line N after `<<EOT` (exact columns where the
/// line is verbatim, else its first character); a quoted literal maps character by character;
/// other strings point at the whole value.
pub fn text_node(v: &Value, file: &crate::syntax::source::SourceFile) -> Option<Node> {
    if let Some(doc) = &v.doc {
        return Some(doc.to_node());
    }
    let text = v.to_text()?;
    let src = &file.text;
    let start = v.span.start.offset.min(src.len());
    // A document written as one quoted string (in HCL, or JSON in a `.tf.json`): exact when the
    // literal at the span decodes to the value (escapes mapped one by one).
    if src.get(start..).is_some_and(|t| t.starts_with('"')) {
        let scalar = crate::syntax::yaml::Scalar {
            text: text.clone(),
            plain: false,
        };
        let holder = Node {
            kind: crate::syntax::yaml::NodeKind::Scalar(scalar),
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
    let end = v.span.end.offset.clamp(start, src.len());
    let heredoc = src.get(start..).is_some_and(|t| t.starts_with("<<"));
    // File lines of the value: (offset of the line, its text), the `<<EOT` line first.
    let mut lines = Vec::new();
    let mut at = start;
    for l in src
        .get(start..end)
        .unwrap_or_default()
        .split_inclusive('\n')
    {
        lines.push((at, l.trim_end_matches(['\n', '\r'])));
        at += l.len();
    }
    let content: Vec<&str> = text.lines().collect();
    // Content line N is file line N only while no interpolation brought in a line break.
    let marker = src
        .get(start..end)
        .and_then(|t| t.lines().next())
        .map(|l| l.trim_start_matches('<').trim_start_matches('-').trim())
        .unwrap_or_default();
    let body_lines = lines.len().saturating_sub(1).saturating_sub(usize::from(
        lines.last().is_some_and(|l| l.1.trim() == marker),
    ));
    let heredoc = heredoc && body_lines == content.len();
    let map = |p: Pos| -> Pos {
        let file_line = lines.get(p.line).filter(|_| heredoc);
        let Some(&(line_at, line_text)) = file_line else {
            return v.span.start;
        };
        let content_line = content.get(p.line.saturating_sub(1)).copied().unwrap_or("");
        let byte_col = text_col_to_byte(content_line, p.column);
        let shift = line_text
            .find(content_line.trim_start())
            .map(|i| i as isize - (content_line.len() - content_line.trim_start().len()) as isize);
        let offset = match shift {
            Some(sh) if line_text.ends_with(content_line.trim()) => {
                (line_at as isize + sh + byte_col as isize).max(line_at as isize) as usize
            }
            _ => line_at + (line_text.len() - line_text.trim_start().len()),
        };
        let offset = offset.min(line_at + line_text.len());
        Pos {
            offset,
            line: v.span.start.line + p.line,
            column: src
                .get(line_at..offset)
                .map_or(1, |s| s.chars().count() + 1),
        }
    };
    root.map_spans(&|s| {
        let (start, end) = (map(s.start), map(s.end));
        if heredoc && start.offset <= end.offset {
            Span { start, end }
        } else {
            v.span
        }
    });
    Some(root)
}

/// The byte offset of a 1-based character column in a line.
fn text_col_to_byte(line: &str, column: usize) -> usize {
    line.char_indices()
        .nth(column.saturating_sub(1))
        .map_or(line.len(), |(i, _)| i)
}
