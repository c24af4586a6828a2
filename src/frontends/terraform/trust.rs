//! Trust policies from Terraform: `data "aws_iam_policy_document"` evaluated into the JSON
//! document it renders, and `aws_iam_role.assume_role_policy` in every written form, lowered to
//! JSON-shaped `Node`s whose scalars point into the `.tf`.

use hcl_edit::structure::{Block, Body};

use super::eval::{iter_pairs, Eval};
use super::value::{FileId, Kind, Value};
use crate::syntax::yaml::Span;

pub use super::text_doc::text_node;

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
