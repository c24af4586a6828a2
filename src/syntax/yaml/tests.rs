use super::*;

#[test]
fn spans_point_at_keys_and_values() {
    let text = "a:\n  b: hello\n";
    let s = parse(text);
    assert!(s.error.is_none());
    let root = &s.documents[0].root;
    let entry = root.get("a").unwrap().entry("b").unwrap();
    assert_eq!(
        (entry.key.span.start.line, entry.key.span.start.column),
        (2, 3)
    );
    assert_eq!(entry.value.as_str(), Some("hello"));
    assert_eq!(
        &text[entry.value.span.start.offset..entry.value.span.end.offset],
        "hello"
    );
}

#[test]
fn multi_document_streams_keep_every_document() {
    let s = parse("a: 1\n---\nb: 2\n---\n");
    assert_eq!(s.documents.len(), 3);
    assert!(s.documents[2].root.is_null());
}

#[test]
fn duplicate_keys_are_recorded() {
    let s = parse("{\"a\": 1, \"b\": 2, \"a\": 3}");
    assert_eq!(s.duplicate_keys.len(), 1);
    assert_eq!(s.duplicate_keys[0].key, "a");
    assert_eq!(s.duplicate_keys[0].second.start.column, 18);
}

#[test]
fn alias_bombs_are_stopped() {
    let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let refs = vec![format!("*a{}", i - 1); 10].join(", ");
        text.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
    }
    let s = parse(&text);
    let err = s.error.expect("alias bomb must fail");
    assert!(err.message.contains("alias"), "{}", err.message);
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let text = "[".repeat(100_000) + &"]".repeat(100_000);
    let s = parse(&text);
    let e = s.error.unwrap();
    assert!(
        e.message.contains("nest") || e.message.contains("recursion"),
        "{}",
        e.message
    );
    let text = "{\"a\":".repeat(100_000) + "1" + &"}".repeat(100_000);
    assert!(parse(&text).error.is_some());
}

#[test]
fn syntax_errors_keep_earlier_documents() {
    let s = parse("a: 1\n---\nb: [1, 2\n");
    assert_eq!(s.documents.len(), 1);
    let e = s.error.unwrap();
    assert!(e.pos.line >= 3);
}

#[test]
fn columns_count_characters_and_offsets_bytes() {
    let text = "é: ü\r\nkey: value\r\n";
    let s = parse(text);
    let v = s.documents[0].root.get("key").unwrap();
    assert_eq!((v.span.start.line, v.span.start.column), (2, 6));
    assert_eq!(&text[v.span.start.offset..v.span.end.offset], "value");
}

#[test]
fn tabs_in_indentation_are_reported() {
    let s = parse("a:\n\tb: 1\n");
    assert!(s.error.is_some());
}

#[test]
fn json_scalars_keep_types() {
    let s = parse("{\"a\": \"1\", \"b\": 1, \"c\": true, \"d\": null}");
    let j = s.documents[0].root.to_json();
    assert_eq!(
        j,
        serde_json::json!({"a": "1", "b": 1, "c": true, "d": null})
    );
}

#[test]
fn quoted_scalar_spans_include_the_quotes() {
    let text = "{\"key\": \"value\"}";
    let s = parse(text);
    let e = s.documents[0].root.entry("key").unwrap();
    assert_eq!(
        &text[e.key.span.start.offset..e.key.span.end.offset],
        "\"key\""
    );
    assert_eq!(
        &text[e.value.span.start.offset..e.value.span.end.offset],
        "\"value\""
    );
}

#[test]
fn keep_paths_keeps_only_the_listed_entries_with_their_spans() {
    let text = "kind: ServiceAccount\nmetadata:\n  name: app\n  labels: {a: b}\n  annotations:\n    x: y\nsecrets: [s]\n";
    let root = &parse(text).documents[0].root;
    let kept = root.keep_paths(&[&["metadata", "name"], &["metadata", "annotations"]]);
    assert_eq!(kept.get("kind"), None);
    assert_eq!(kept.get("secrets"), None);
    assert_eq!(kept.path(&["metadata", "labels"]), None);
    assert_eq!(kept.str_at(&["metadata", "annotations", "x"]), Some("y"));
    let name = kept.path(&["metadata", "name"]).unwrap();
    assert_eq!((name.span.start.line, name.span.start.column), (3, 9));
    assert_eq!(kept.span, root.span);
}

#[test]
fn local_tags_are_recorded_by_node_start() {
    let text = "a: !Sub \"x-${B}\"\nb: !GetAtt R.Arn\nc: !Join [\"\", [x]]\nd: !!str 1\n";
    let s = parse(text);
    assert!(s.error.is_none());
    let root = &s.documents[0].root;
    let tags: Vec<(&str, &str)> = s
        .tags
        .iter()
        .map(|t| (&text[t.offset..t.offset + 3], t.tag.as_str()))
        .collect();
    assert_eq!(
        tags,
        [("!Su", "!Sub"), ("!Ge", "!GetAtt"), ("!Jo", "!Join")]
    );
    let a = root.get("a").unwrap();
    // A tagged node's span starts at its tag.
    assert_eq!(
        &text[a.span.start.offset..a.span.end.offset],
        "!Sub \"x-${B}\""
    );
}

/// go-yaml reads these (kubectl, helm); YAML 1.2 and saphyr alone refuse them.
#[test]
fn flow_and_quoted_lines_at_the_keys_column_are_read_as_go_yaml_does() {
    let cases: &[(&str, &str)] = &[
        (
            "spec:\n  args: [\n    \"--a\",\n    \"--b\"\n  ]\n",
            r#"{"spec":{"args":["--a","--b"]}}"#,
        ),
        (
            "spec:\n  args: [\n    \"--a\",\n    \"--b\"\n]\n",
            r#"{"spec":{"args":["--a","--b"]}}"#,
        ),
        (
            "- key: x\n  values: [\n  \"a\", \"b\"\n  ]\n",
            r#"[{"key":"x","values":["a","b"]}]"#,
        ),
        ("- args: [\na,\nb]\n", r#"[{"args":["a","b"]}]"#),
        (
            "a:\n  description: \"The name\n  of it\"\n  type: string\n",
            r#"{"a":{"description":"The name of it","type":"string"}}"#,
        ),
        ("a:\n  b: 'it''s\nhere'\n", r#"{"a":{"b":"it's here"}}"#),
        ("m: {a: 1,\nb: 2}\n", r#"{"m":{"a":1,"b":2}}"#),
    ];
    for (text, json) in cases {
        let s = parse(text);
        assert!(s.error.is_none(), "{text:?}: {:?}", s.error);
        let want: serde_json::Value = serde_json::from_str(json).unwrap();
        assert_eq!(s.documents[0].root.to_json(), want, "{text:?}");
        // Every span still points into the user's text, at the same characters.
        for node in s.documents[0].root.descendants() {
            let (start, end) = (node.span.start, node.span.end);
            assert!(
                start.offset <= end.offset && end.offset <= text.len(),
                "{text:?}"
            );
            assert_eq!(pos_at(text, start.offset), start, "{text:?}");
            if let Some(scalar) = node.scalar().filter(|s| s.plain && !s.text.is_empty()) {
                assert_eq!(&text[start.offset..end.offset], scalar.text, "{text:?}");
            }
        }
    }
}

#[test]
fn a_broken_file_after_a_repaired_line_keeps_its_own_error_and_position() {
    let text = "a: [\n  1,\n]\nb: c: d\n";
    let s = parse(text);
    let err = s.error.expect("still broken");
    assert_eq!(err.pos.line, 4, "{err:?}");
    let text = "a:\n  b: \"x\n---\"\n";
    assert!(
        parse(text).error.is_some(),
        "a document marker inside a quoted scalar"
    );
}

#[test]
fn a_block_scalar_that_ends_the_file_without_a_line_break_has_no_final_break() {
    for (text, want) in [
        ("a: |\n  x\n  y", "x\ny"),
        ("a: >\n  x\n  y", "x y"),
        ("a: |\n  x\n  y\n", "x\ny\n"),
        ("a: |-\n  x", "x"),
    ] {
        let s = parse(text);
        assert_eq!(s.documents[0].root.str_at(&["a"]), Some(want), "{text:?}");
    }
}

#[test]
fn tabs_before_content_inside_a_flow_collection_are_blanks_as_in_go_yaml() {
    let text = "kind: List\nitems:\n- {\n\t\t\"kind\": \"Service\",\n\t\t\"spec\": {}\n}\n";
    let s = parse(text);
    assert!(s.error.is_none(), "{:?}", s.error);
    let item = &s.documents[0].root.get("items").unwrap().as_seq().unwrap()[0];
    let kind = item.entry("kind").unwrap();
    assert_eq!(
        (kind.key.span.start.line, kind.key.span.start.column),
        (4, 3)
    );
    assert_eq!(
        &text[kind.value.span.start.offset..kind.value.span.end.offset],
        "\"Service\""
    );
    // In block context a tab is indentation: refused, as go-yaml does.
    assert!(parse("metadata:\n\tname: x\n").error.is_some());
    assert!(parse("a:\n  b: 1\n\tc: 2\n").error.is_some());
}
