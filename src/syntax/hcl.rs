//! HCL (Terraform, OpenTofu, Terragrunt) parsed with `hcl-edit`, which keeps byte spans and
//! bounds nesting depth itself (64 levels), so deep input is an error, not a stack overflow.

use std::ops::Range;

pub use hcl_edit::structure::Body;

use crate::syntax::yaml::{Pos, Span};

/// Why a text is not HCL, and where.
#[derive(Debug, Clone, PartialEq)]
pub struct HclError {
    pub message: String,
    pub pos: Pos,
}

/// Parse a whole HCL file. A panic inside the parser (none is known) is reported as an error.
/// A key written twice in one object keeps its last item, as Terraform does
/// ([`super::hcl_dupkeys`]).
pub fn parse(text: &str) -> Result<Body, HclError> {
    let mut result = parse_text(text);
    let mut repaired = std::borrow::Cow::Borrowed(text);
    for _ in 0..64 {
        match &result {
            Err(e) if e.message.contains(super::hcl_dupkeys::REDEFINED) => {
                let Some(next) = super::hcl_dupkeys::drop_earlier_item(&repaired, e.pos.offset)
                else {
                    break;
                };
                result = parse_text(&next);
                repaired = std::borrow::Cow::Owned(next);
            }
            _ => break,
        }
    }
    result
}

fn parse_text(text: &str) -> Result<Body, HclError> {
    let lines = LineIndex::new(text);
    // hcl-edit backtracks exponentially when the text ends inside deep nesting (issue #16's
    // campaign: 1 KB took 100 s); such a text is never HCL, so it is refused without parsing.
    if let Some(open) = super::hcl_balance::deeply_unclosed(text) {
        return Err(HclError {
            message: format!(
                "invalid HCL: the file ends with {} brackets, strings or templates still open (the first, `{}`, at line {})",
                open.depth,
                open.opener,
                lines.pos(text, open.offset).line
            ),
            pos: lines.pos(text, open.offset),
        });
    }
    let parsed = std::panic::catch_unwind(|| hcl_edit::parser::parse_body(text));
    match parsed {
        Ok(Ok(body)) => Ok(body),
        Ok(Err(e)) => {
            let loc = e.location();
            let message = e.message().lines().next().unwrap_or("syntax error").trim();
            Err(HclError {
                message: format!("invalid HCL: {message}"),
                pos: lines.pos(text, loc.offset()),
            })
        }
        Err(_) => Err(HclError {
            message: "invalid HCL: the parser gave up on this file".into(),
            pos: lines.pos(text, 0),
        }),
    }
}

/// Line starts of a text, for turning byte offsets into lines and columns in O(log n).
#[derive(Debug, Clone, Default)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i + 1),
        );
        LineIndex { starts }
    }

    /// The position of a byte offset (clamped to the text, moved back to a char boundary).
    pub fn pos(&self, text: &str, offset: usize) -> Pos {
        let mut offset = offset.min(text.len());
        while offset > 0 && !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts.get(line - 1).copied().unwrap_or(0).min(offset);
        let column = text.get(start..offset).map_or(1, |s| s.chars().count() + 1);
        Pos {
            offset,
            line,
            column,
        }
    }

    pub fn span(&self, text: &str, range: &Range<usize>) -> Span {
        Span {
            start: self.pos(text, range.start),
            end: self.pos(text, range.end),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_carry_line_and_column() {
        let err = parse("a = 1\nb = {\n").unwrap_err();
        assert_eq!(err.pos.line, 2, "{err:?}");
        let err = parse("x = <<EOT\nnever ends\n").unwrap_err();
        assert!(err.pos.line >= 1, "{err:?}");
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let deep = format!("a = {}1{}\n", "[".repeat(100_000), "]".repeat(100_000));
        let err = parse(&deep).unwrap_err();
        assert!(err.message.contains("nest"), "{err:?}");
        let deep = format!("a = {}1{}\n", "(".repeat(100_000), ")".repeat(100_000));
        assert!(parse(&deep).is_err());
        let blocks = format!("{}{}", "b {\n".repeat(100_000), "}\n".repeat(100_000));
        assert!(parse(&blocks).is_err());
    }

    /// hashicorp/hcl `ObjectConsExpr.Value`: the last item of a key wins, silently.
    #[test]
    fn a_key_written_twice_in_an_object_keeps_its_last_value() {
        let text = "locals {\n  m = {\n    a = [1,\n      2]\n    \"b\" = 1, \"b\" = 2\n    a = 3 # last\n  }\n}\n";
        let body = parse(text).expect("parsed as Terraform does");
        let locals = body.blocks().next().unwrap();
        let m = locals.body.attributes().next().unwrap();
        let hcl_edit::expr::Expression::Object(object) = &m.value else {
            panic!("{m:?}");
        };
        let values: Vec<String> = object
            .iter()
            .map(|(_, v)| v.expr().to_string().trim().to_string())
            .collect();
        assert_eq!(values, ["2", "3 # last"], "{text}");
        // Spans still point into the user's text: the kept `a` is on line 6.
        let (key, _) = object.iter().nth(1).unwrap();
        let at = hcl_edit::Span::span(key).unwrap().start;
        assert_eq!(LineIndex::new(text).pos(text, at).line, 6);
        // In a `for` expression two equal keys are an error in Terraform too; not our case here.
        assert!(parse("a = {\n b = 1\n b = = 2\n}\n").is_err());
    }

    #[test]
    fn line_index_counts_characters() {
        let text = "ab\nçd = 1\n";
        let idx = LineIndex::new(text);
        let p = idx.pos(text, text.find('d').unwrap());
        assert_eq!((p.line, p.column), (2, 2));
        assert_eq!(idx.pos(text, 10_000).offset, text.len());
    }
}
