//! Fix builders: replacements that keep the file's formatting. `lint --fix` applies them.

use crate::diagnostics::finding::{Fix, Location, Replacement};
use crate::syntax::source::SourceFile;
use crate::syntax::yaml::Span;

/// Replace the text at `span` of `file` (quotes around a scalar are kept).
pub fn replace_scalar(file: &SourceFile, span: Span, new_value: &str) -> Option<Replacement> {
    let original = file.text.get(span.start.offset..span.end.offset)?;
    let quote = original.chars().next().filter(|c| *c == '"' || *c == '\'');
    // A value inside a JSON string literal (a plan's `assume_role_policy`): escaped quotes.
    if original.starts_with("\\\"") {
        let inner = serde_json::to_string(new_value).ok()?;
        let outer = serde_json::to_string(&inner).ok()?;
        let text = outer.get(1..outer.len().saturating_sub(1))?.to_string();
        return Some(Replacement {
            location: Location::new(file, span),
            start: span.start.offset,
            end: span.end.offset,
            text,
        });
    }
    let text = match quote {
        Some(q) => format!(
            "{q}{}{q}",
            new_value.replace(q, if q == '"' { "\\\"" } else { "''" })
        ),
        None => new_value.to_string(),
    };
    Some(Replacement {
        location: Location::new(file, span),
        start: span.start.offset,
        end: span.end.offset,
        text,
    })
}

/// Insert `text` at a byte offset.
pub fn insert_at(file: &SourceFile, span: Span, text: String) -> Replacement {
    Replacement {
        location: Location::new(
            file,
            Span {
                start: span.end,
                end: span.end,
            },
        ),
        start: span.end.offset,
        end: span.end.offset,
        text,
    }
}

pub fn fix(description: impl Into<String>, replacements: Vec<Replacement>) -> Fix {
    Fix {
        description: description.into(),
        replacements,
    }
}
