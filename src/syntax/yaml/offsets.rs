//! Byte offsets, lines and columns of the parser's character positions.

use super::{reindent, Pos, Span};

/// Turns the parser's character positions into byte offsets, walking from the last one.
/// On a text re-indented by [`reindent`], positions are mapped back to the original.
pub(super) struct Offsets<'a> {
    text: &'a str,
    ascii: bool,
    char_index: usize,
    byte: usize,
    shifts: Option<&'a reindent::Shifts>,
}

impl<'a> Offsets<'a> {
    pub(super) fn new(text: &'a str, shifts: Option<&'a reindent::Shifts>) -> Self {
        Offsets {
            text,
            ascii: text.is_ascii(),
            char_index: 0,
            byte: 0,
            shifts,
        }
    }

    pub(super) fn byte_of(&mut self, char_index: usize) -> usize {
        if self.ascii {
            return char_index.min(self.text.len());
        }
        let bytes = self.text.as_bytes();
        while self.char_index < char_index && self.byte < bytes.len() {
            self.byte += 1;
            while self.byte < bytes.len() && !self.text.is_char_boundary(self.byte) {
                self.byte += 1;
            }
            self.char_index += 1;
        }
        while self.char_index > char_index && self.byte > 0 {
            self.byte -= 1;
            while self.byte > 0 && !self.text.is_char_boundary(self.byte) {
                self.byte -= 1;
            }
            self.char_index -= 1;
        }
        self.byte
    }

    pub(super) fn pos(&mut self, m: &saphyr_parser::Marker) -> Pos {
        let pos = Pos {
            offset: self.byte_of(m.index()),
            line: m.line(),
            column: m.col() + 1,
        };
        self.shifts.map_or(pos, |s| s.to_original(pos))
    }

    pub(super) fn span(&mut self, s: &saphyr_parser::Span) -> Span {
        Span {
            start: self.pos(&s.start),
            end: self.pos(&s.end),
        }
    }
}
