//! JSON Schema validation of YAML files, with errors pointing at the offending node.

use crate::syntax::yaml::{Node, NodeKind, Span};

/// A schema violation, located in the validated document.
#[derive(Debug, Clone, PartialEq)]
pub struct SchemaError {
    pub message: String,
    pub span: Span,
}

/// Compile a schema shipped with the tool. Panics only on a broken built-in schema (a test covers it).
pub fn compile(schema_text: &str) -> jsonschema::Validator {
    let schema: serde_json::Value =
        serde_json::from_str(schema_text).expect("built-in schema is valid JSON");
    jsonschema::validator_for(&schema).expect("built-in schema compiles")
}

/// Validate `root` and map each error's instance path back to a node span.
pub fn validate(validator: &jsonschema::Validator, root: &Node) -> Vec<SchemaError> {
    let instance = root.to_json();
    validator
        .iter_errors(&instance)
        .map(|err| {
            let pointer = err.instance_path().as_str().to_string();
            let at = if pointer.is_empty() {
                String::new()
            } else {
                format!(
                    " (at `{}`)",
                    pointer.trim_start_matches('/').replace('/', ".")
                )
            };
            SchemaError {
                message: format!("{err}{at}"),
                span: span_at_pointer(root, &pointer),
            }
        })
        .collect()
}

/// The span of the node at a JSON pointer; for a mapping entry, the key's span.
pub fn span_at_pointer(root: &Node, pointer: &str) -> Span {
    let mut node = root;
    let mut span = root.span;
    for raw in pointer.split('/').skip(1) {
        let segment = raw.replace("~1", "/").replace("~0", "~");
        match &node.kind {
            NodeKind::Map(entries) => {
                match entries
                    .iter()
                    .find(|e| e.key.as_str() == Some(segment.as_str()))
                {
                    Some(e) => {
                        span = e.key.span;
                        node = &e.value;
                    }
                    None => break,
                }
            }
            NodeKind::Seq(items) => {
                match segment.parse::<usize>().ok().and_then(|i| items.get(i)) {
                    Some(item) => {
                        span = item.span;
                        node = item;
                    }
                    None => break,
                }
            }
            NodeKind::Scalar(_) => break,
        }
    }
    span
}
