use super::*;
use crate::syntax::yaml;

/// The value node at `key` in a one-level mapping, with its decoded text.
fn value_of(text: &str, key: &str) -> (Span, String) {
    let stream = yaml::parse(text);
    let node = stream.documents[0].root.get(key).expect("key").clone();
    (node.span, node.as_str().expect("string").to_string())
}

fn at(text: &str, span: Span) -> (&str, usize, usize) {
    (
        &text[span.start.offset..span.end.offset],
        span.start.line,
        span.start.column,
    )
}

#[test]
fn block_scalar_ranges_land_on_their_file_columns() {
    let text = "a: 1\nconfig: |\n  [p]\n  region = x\n";
    let (value, inner) = value_of(text, "config");
    let map = InnerMap::locate(text, value, &inner);
    assert!(map.is_exact());
    let r = inner.find("region").unwrap();
    let span = map.span(text, &(r..r + 6));
    assert_eq!(at(text, span), ("region", 4, 3));
}

#[test]
fn uneven_block_indentation_keeps_the_extra_spaces() {
    // The first line sets the indentation (3); later lines keep one more space in the content.
    let text = "k: |\n   [ default]\n    region = us-west-2\n";
    let (value, inner) = value_of(text, "k");
    assert_eq!(inner, "[ default]\n region = us-west-2\n");
    let map = InnerMap::locate(text, value, &inner);
    let line = inner.find(" region").unwrap();
    assert_eq!(
        at(text, map.span(text, &(line..line + 7))),
        (" region", 3, 4)
    );
    let r = line + 1;
    assert_eq!(at(text, map.span(text, &(r..r + 6))), ("region", 3, 5));
}

#[test]
fn escaped_strings_fall_back_to_the_value_not_a_wrong_place() {
    let text = "k: \"a\\tb\\nregion = x\"\n";
    let (value, inner) = value_of(text, "k");
    let map = InnerMap::locate(text, value, &inner);
    assert!(!map.is_exact(), "the tab is an escape in the file");
    // Line 1 (`a<TAB>b`) is not in the file verbatim: the whole value.
    assert_eq!(map.span(text, &(0..3)), value);
    // Line 2 is: found inside the quoted string.
    let r = inner.find("region").unwrap();
    assert_eq!(at(text, map.span(text, &(r..r + 6))), ("region", 1, 11));
}

#[test]
fn out_of_range_reversed_and_mid_character_ranges_fall_back() {
    let text = "k: |\n  é = 1\n";
    let (value, inner) = value_of(text, "k");
    let map = InnerMap::locate(text, value, &inner);
    let reversed = Range { start: 3, end: 1 };
    for range in [
        0..usize::MAX,
        usize::MAX..usize::MAX,
        reversed,
        1..2,
        50..60,
    ] {
        assert_eq!(map.span(text, &range), value, "{range:?}");
    }
    assert_eq!(map.offset(text, usize::MAX), None);
}

#[test]
fn positions_of_a_parsed_inner_tree_map_by_line_and_column() {
    let text = "doc: |\n  a: 1\n  b: 2\n";
    let (value, inner) = value_of(text, "doc");
    let map = InnerMap::locate(text, value, &inner);
    let tree = yaml::parse(&inner);
    let b = tree.documents[0].root.get("b").unwrap();
    let span = map.span_of_inner(text, b.span);
    assert_eq!(at(text, span), ("2", 3, 6));
    // A position past the inner text's last line stays in the value.
    let far = Pos {
        offset: usize::MAX,
        line: usize::MAX,
        column: usize::MAX,
    };
    let p = map.pos(text, far);
    assert!(p.offset <= text.len() && p.offset >= value.start.offset);
}

#[test]
fn span_in_clamps_instead_of_overflowing() {
    let text = "x = é\n";
    assert_eq!(at(text, span_in(text, 0, &(0..1))), ("x", 1, 1));
    let s = span_in(text, usize::MAX, &(1..2));
    assert_eq!((s.start.offset, s.end.offset), (text.len(), text.len()));
    let s = span_in(text, 0, &Range { start: 5, end: 1 });
    assert!(s.start.offset <= s.end.offset);
    // Offset 5 is inside `é`: moved to its start.
    assert_eq!(span_in(text, 0, &(5..5)).start.offset, 4);
}
