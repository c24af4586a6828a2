//! Fix builders: replacements that keep the file's formatting. `lint --fix` applies them.

use crate::diagnostics::finding::{Fix, Location, Replacement};
use crate::syntax::source::SourceFile;
use crate::syntax::yaml::Span;

/// Replace the text at `span` of `file` (quotes around a scalar are kept).
pub fn replace_scalar(file: &SourceFile, span: Span, new_value: &str) -> Option<Replacement> {
    let original = file.text.get(span.start.offset..span.end.offset)?;
    let quote = original.chars().next().filter(|c| *c == '"' || *c == '\'');
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
