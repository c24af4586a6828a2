//! JSON strings of a JSON-syntax file, decoded with the JSON range of every character, and
//! written out as the HCL string they stand for: a quoted template (`${…}`/`%{…}` kept, the
//! rest escaped for HCL) or, in literal contexts, a quoted string with templates escaped.

use std::ops::Range;

use super::json_map::Out;

/// A JSON string's content and, for each of its characters, the JSON range it was written as.
pub struct Decoded {
    pub text: String,
    /// `(byte offset in text, JSON range)` per character, in order.
    chars: Vec<(usize, Range<usize>)>,
    /// The whole token, quotes included.
    token: Range<usize>,
}

/// Why a string is not JSON, and the JSON offset.
pub type Bad = (String, usize);

impl Decoded {
    /// Decode the JSON string token at `token` (quotes included) of `json`.
    pub fn read(json: &str, token: Range<usize>) -> Result<Decoded, Bad> {
        let at = token.start;
        let raw = json
            .get(token.clone())
            .and_then(|t| t.strip_prefix('"'))
            .and_then(|t| t.strip_suffix('"'))
            .ok_or_else(|| ("a string must be in double quotes".to_string(), at))?;
        let base = at.saturating_add(1);
        let decoded = crate::frontends::jsonstr::decode_body(raw)
            .map_err(|(what, i)| (what.to_string(), base.saturating_add(i)))?;
        let mut text = String::with_capacity(raw.len());
        let mut chars = Vec::with_capacity(decoded.len());
        for (c, range) in decoded {
            let start = base.saturating_add(range.start);
            if (c as u32) < 0x20 && range.len() == 1 {
                return Err(("control character in a string".to_string(), start));
            }
            chars.push((text.len(), start..base.saturating_add(range.end)));
            text.push(c);
        }
        Ok(Decoded { text, chars, token })
    }

    /// Whether the JSON wrote this string without escapes (its content is a verbatim slice).
    pub fn is_verbatim(&self) -> bool {
        self.token.len() == self.text.len().saturating_add(2)
    }

    pub fn token(&self) -> Range<usize> {
        self.token.clone()
    }

    /// Write the string as an HCL quoted template (`template`) or quoted literal string.
    pub fn emit(&self, out: &mut Out, template: bool) {
        let t = self.text.as_bytes();
        let open = self.token.start;
        out.verbatim("\"", open);
        let mut ci = 0;
        while let Some((b, _)) = self.chars.get(ci) {
            let b = *b;
            let intro = matches!(t.get(b), Some(b'$' | b'%')) && t.get(b + 1) == Some(&b'{');
            let escaped_intro = matches!(t.get(b), Some(b'$' | b'%'))
                && t.get(b + 1) == t.get(b)
                && t.get(b + 2) == Some(&b'{');
            if template && escaped_intro {
                // `$${` and `%%{` mean the same in both syntaxes.
                ci = self.copy(out, ci, b.saturating_add(3));
            } else if template && intro {
                // An interpolation or directive is HCL source: copied as it is.
                ci = self.copy(out, ci, interpolation_end(t, b));
            } else {
                if intro {
                    // A literal `${`: doubled so that HCL does not read a template.
                    let src = self.chars[ci].1.clone();
                    out.token(if t[b] == b'$' { "$" } else { "%" }, src);
                }
                self.escape_one(out, ci);
                ci += 1;
            }
        }
        out.verbatim("\"", self.token.end.saturating_sub(1));
    }

    /// Copy characters from `ci` up to byte `end` of the text unchanged; the next index.
    fn copy(&self, out: &mut Out, mut ci: usize, end: usize) -> usize {
        while let Some((b, src)) = self.chars.get(ci).filter(|(b, _)| *b < end) {
            let c = self.char_at(*b);
            let mut buf = [0u8; 4];
            let s = c.encode_utf8(&mut buf);
            if src.len() == s.len() {
                out.verbatim(s, src.start);
            } else {
                out.token(s, src.clone());
            }
            ci += 1;
        }
        ci
    }

    /// One character of a literal part, escaped as an HCL quoted string needs.
    fn escape_one(&self, out: &mut Out, ci: usize) {
        let (b, src) = &self.chars[ci];
        let c = self.char_at(*b);
        let escaped = match c {
            '"' => "\\\"".to_string(),
            '\\' => "\\\\".to_string(),
            '\n' => "\\n".to_string(),
            '\r' => "\\r".to_string(),
            '\t' => "\\t".to_string(),
            c if (c as u32) < 0x20 || c == '\u{7f}' => format!("\\u{:04X}", c as u32),
            _ => {
                self.copy(out, ci, b.saturating_add(1));
                return;
            }
        };
        out.token(&escaped, src.clone());
    }

    fn char_at(&self, b: usize) -> char {
        self.text
            .get(b..)
            .and_then(|s| s.chars().next())
            .unwrap_or('\u{fffd}')
    }
}

/// The byte after the `}` that closes the `${`/`%{` at `open`, skipping the braces of objects
/// and quoted strings (which may hold templates of their own) inside; the text's end when it
/// is not closed. Iterative: nesting costs no stack.
fn interpolation_end(t: &[u8], open: usize) -> usize {
    enum Mode {
        Expr(usize),
        Str,
    }
    let mut stack = vec![Mode::Expr(0)];
    let mut k = open.saturating_add(1);
    while let Some(&c) = t.get(k) {
        match stack.last_mut() {
            Some(Mode::Expr(depth)) => match c {
                b'{' => *depth += 1,
                b'}' => {
                    *depth = depth.saturating_sub(1);
                    if *depth == 0 {
                        stack.pop();
                        if stack.is_empty() {
                            return k + 1;
                        }
                    }
                }
                b'"' => stack.push(Mode::Str),
                _ => {}
            },
            Some(Mode::Str) => match c {
                b'\\' => k += 1,
                b'"' => {
                    stack.pop();
                }
                b'$' | b'%' if t.get(k + 1) == Some(&c) && t.get(k + 2) == Some(&b'{') => k += 2,
                b'$' | b'%' if t.get(k + 1) == Some(&b'{') => stack.push(Mode::Expr(0)),
                _ => {}
            },
            None => return k,
        }
        k += 1;
    }
    t.len()
}
