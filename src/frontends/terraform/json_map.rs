//! The HCL text generated from a JSON-syntax file (`json_syntax`), and the map from byte ranges
//! of that text back to the JSON the user wrote.
//!
//! The text is built from pieces, each recorded as a segment: a **verbatim** piece is a byte for
//! byte copy of the JSON (an identifier, a number, the unescaped characters of a string), so an
//! offset inside it maps to the same offset in the JSON; any other piece (`=`, a block keyword,
//! a character that was escaped in one syntax and not the other) maps to the whole JSON token
//! it stands for. Whitespace between pieces is in no segment. Arithmetic is checked and every
//! result is clamped to the JSON text, so a mapped range is never reversed or out of it (the
//! line index moves it off a character's middle).

use std::ops::Range;

#[derive(Debug, Clone, Copy)]
struct Segment {
    /// Start of the piece in the generated text; pieces never overlap and come in order.
    gen: usize,
    len: usize,
    /// What the piece stands for in the JSON.
    src: (usize, usize),
    verbatim: bool,
}

/// Generated ranges → JSON ranges.
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    segments: Vec<Segment>,
    /// Length of the JSON text.
    src_len: usize,
}

impl SourceMap {
    /// Where a generated range came from in the JSON.
    pub fn range(&self, r: &Range<usize>) -> Range<usize> {
        let start = self.start(r.start);
        let end = if r.end <= r.start {
            start
        } else {
            self.end(r.end)
        };
        // A block's keyword maps to its last label, which comes after the first one in the
        // JSON: a range that starts at the keyword and ends at a label runs backwards there.
        if end < start {
            end..start
        } else {
            start..end
        }
    }

    /// The JSON offset of a generated offset (an error's position).
    pub fn offset(&self, at: usize) -> usize {
        self.start(at)
    }

    /// The JSON offset where the generated text from `at` on starts.
    fn start(&self, at: usize) -> usize {
        let i = self.segments.partition_point(|s| s.gen <= at);
        let inside = i
            .checked_sub(1)
            .and_then(|p| self.segments.get(p))
            .filter(|s| at < s.gen.saturating_add(s.len));
        let out = match (inside, self.segments.get(i)) {
            (Some(s), _) if s.verbatim => s.src.0.saturating_add(at.saturating_sub(s.gen)),
            (Some(s), _) => s.src.0,
            // Between pieces: where the next one starts (else where the last one ended).
            (None, Some(next)) => next.src.0,
            (None, None) => self.segments.last().map_or(0, |s| s.src.1),
        };
        out.min(self.src_len)
    }

    /// The JSON offset where the generated text before `at` ends.
    fn end(&self, at: usize) -> usize {
        let i = self.segments.partition_point(|s| s.gen < at);
        let Some(s) = i.checked_sub(1).and_then(|p| self.segments.get(p)) else {
            return self
                .segments
                .first()
                .map_or(0, |s| s.src.0)
                .min(self.src_len);
        };
        let out = match at.checked_sub(s.gen) {
            Some(into) if into <= s.len && s.verbatim => s.src.0.saturating_add(into),
            _ => s.src.1,
        };
        out.min(self.src_len)
    }
}

/// The generated text as it is built, and its map.
#[derive(Debug, Default)]
pub struct Out {
    pub text: String,
    pub map: SourceMap,
}

impl Out {
    pub fn new(src_len: usize) -> Self {
        Out {
            text: String::new(),
            map: SourceMap {
                segments: Vec::new(),
                src_len,
            },
        }
    }

    /// Text that is in no segment (whitespace, separators).
    pub fn raw(&mut self, s: &str) {
        self.text.push_str(s);
    }

    /// Text that stands for the JSON range `src` as a whole.
    pub fn token(&mut self, s: &str, src: Range<usize>) {
        self.push(s, src, false);
    }

    /// A verbatim copy of the JSON text at `src_start`.
    pub fn verbatim(&mut self, s: &str, src_start: usize) {
        let end = src_start.saturating_add(s.len());
        self.push(s, src_start..end, true);
    }

    fn push(&mut self, s: &str, src: Range<usize>, verbatim: bool) {
        if s.is_empty() {
            return;
        }
        let gen = self.text.len();
        self.text.push_str(s);
        let src = (src.start, src.end.max(src.start));
        if let Some(last) = self.map.segments.last_mut() {
            // Adjacent verbatim pieces become one.
            let joins = last.gen.saturating_add(last.len) == gen && last.src.1 == src.0;
            if verbatim && last.verbatim && joins {
                last.len = last.len.saturating_add(s.len());
                last.src.1 = src.1;
                return;
            }
        }
        self.map.segments.push(Segment {
            gen,
            len: s.len(),
            src,
            verbatim,
        });
    }
}
