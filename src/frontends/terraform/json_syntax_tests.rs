//! The JSON-syntax converter: the HCL it writes, and where its pieces map back to.

use super::*;
use crate::syntax::hcl::LineIndex;

fn lowered(json: &str, mode: Mode) -> Generated {
    match lower(json, mode) {
        Ok(g) => {
            assert!(crate::syntax::hcl::parse(&g.text).is_ok(), "{}", g.text);
            g
        }
        Err(e) => panic!("{e:?} in {json}"),
    }
}

fn hcl(json: &str) -> String {
    lowered(json, Mode::Config).text
}

/// The lines of the generated text without indentation, empty ones left out.
fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

fn error(json: &str) -> (String, usize, usize) {
    match lower(json, Mode::Config) {
        Ok(g) => panic!("no error for {json}: {}", g.text),
        Err(e) => (e.message, e.pos.line, e.pos.column),
    }
}

#[test]
fn strings_are_escaped_for_hcl_outside_templates_and_copied_inside() {
    let text = hcl(
        r#"{"locals": {"a": "say \"hi\"\\n\n\tdone", "b": "${replace(x, \"}\", \"\\\"\")}:sub", "c": "$${literal} %{ if true }y%{ endif }", "d": "\u00e9😀"}}"#,
    );
    assert_eq!(
        lines(&text),
        [
            "locals {",
            r#"a = "say \"hi\"\\n\n\tdone""#,
            r#"b = "${replace(x, "}", "\"")}:sub""#,
            r#"c = "$${literal} %{ if true }y%{ endif }""#,
            "d = \"é😀\"",
            "}",
        ]
    );
}

#[test]
fn object_keys_are_templates_and_values_keep_their_types() {
    let text = hcl(
        r#"{"locals": {"p": {"${module.eks.oidc_provider}:sub": ["a", 1, -2.5e3, true, null], "//": "a key"}}}"#,
    );
    assert_eq!(
        lines(&text),
        [
            "locals {",
            "p = {",
            r#""${module.eks.oidc_provider}:sub" = ["a", 1, -2.5e3, true, null]"#,
            r#""//" = "a key""#,
            "}",
            "}",
        ]
    );
}

#[test]
fn nested_blocks_arrays_of_blocks_dynamic_and_comments() {
    let text = hcl(r#"{
  "//": "a comment",
  "data": {"aws_iam_policy_document": {"t": {
    "//": "another",
    "statement": [
      {"actions": ["sts:AssumeRoleWithWebIdentity"],
       "principals": {"type": "Federated", "identifiers": ["x"]},
       "condition": [{"test": "StringEquals", "variable": "v", "values": ["a"]},
                     {"test": "StringLike", "variable": "w", "values": ["b"]}]},
      {"actions": [], "condition": "${local.c}"}
    ],
    "dynamic": {"statement": {"for_each": "${local.s}", "iterator": "s", "content": {"sid": "${s.key}"}}}
  }}}
}"#);
    assert_eq!(
        lines(&text),
        [
            r#"data "aws_iam_policy_document" "t" {"#,
            "statement {",
            r#"actions = ["sts:AssumeRoleWithWebIdentity"]"#,
            "principals {",
            r#"type = "Federated""#,
            r#"identifiers = ["x"]"#,
            "}",
            "condition {",
            r#"test = "StringEquals""#,
            r#"variable = "v""#,
            r#"values = ["a"]"#,
            "}",
            "condition {",
            r#"test = "StringLike""#,
            r#"variable = "w""#,
            r#"values = ["b"]"#,
            "}",
            "}",
            "statement {",
            "actions = []",
            r#"condition = "${local.c}""#,
            "}",
            r#"dynamic "statement" {"#,
            r#"for_each = "${local.s}""#,
            "iterator = s",
            "content {",
            r#"sid = "${s.key}""#,
            "}",
            "}",
            "}",
        ]
    );
}

#[test]
fn label_levels_may_be_arrays_and_meta_arguments_are_left_out() {
    let text = hcl(r#"{
  "resource": [
    {"aws_iam_role": {"a": {"name": "a", "depends_on": ["x.y"], "lifecycle": {"ignore_changes": ["tags"]}}}},
    {"aws_iam_role": {"b": [{"name": "b"}], "c": null}}
  ],
  "variable": {"v": {"type": "list(string)", "default": ["x", "${y}"]}},
  "module": {"m": {"source": "./m", "providers": {"aws": "aws.west"}, "metadata": {"a": 1}}},
  "output": {"o": {"value": "${var.v}"}},
  "terraform": {"required_version": ">= 1.0"},
  "provider": {"aws": [{"region": "eu-west-1"}]}
}"#);
    assert_eq!(
        lines(&text),
        [
            r#"resource "aws_iam_role" "a" {"#,
            r#"name = "a""#,
            "}",
            r#"resource "aws_iam_role" "b" {"#,
            r#"name = "b""#,
            "}",
            r#"variable "v" {"#,
            r#"default = ["x", "$${y}"]"#,
            "}",
            r#"module "m" {"#,
            r#"source = "./m""#,
            "metadata = {",
            "\"a\" = 1",
            "}",
            "}",
            r#"output "o" {"#,
            r#"value = "${var.v}""#,
            "}",
        ]
    );
}

#[test]
fn variable_files_are_literal() {
    let g = lowered(
        r#"{"ns": "${not.a.template}", "m": {"k${x}": "v"}, "//": "comment"}"#,
        Mode::Vars,
    );
    assert_eq!(
        lines(&g.text),
        [
            r#"ns = "$${not.a.template}""#,
            "m = {",
            r#""k$${x}" = "v""#,
            "}"
        ]
    );
}

/// Map the generated range of `needle` (its `nth` occurrence) back into the JSON.
fn mapped<'j>(json: &'j str, g: &Generated, needle: &str) -> &'j str {
    let at = g
        .text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle} in {}", g.text));
    let r = g.map.range(&(at..at + needle.len()));
    &json[r]
}

#[test]
fn ranges_map_to_the_json_exactly_where_it_was_copied_and_to_whole_tokens_elsewhere() {
    let json = r#"{"resource": {"kubernetes_service_account_v1": {"sa": {
  "metadata": {"name": "app", "annotations": {"eks.amazonaws.com/role-arn": "${aws_iam_role.r.arn}"}}
}}, "aws_iam_role": {"r": {"assume_role_policy": "${jsonencode({Condition = {StringEquals = {\"o.example:sub\" = \"system:serviceaccount:a:b\"}}})}"}}}}"#;
    let g = lowered(json, Mode::Config);
    // Verbatim: names, unescaped strings, interpolations.
    assert_eq!(mapped(json, &g, "\"app\""), "\"app\"");
    assert_eq!(mapped(json, &g, "aws_iam_role.r.arn"), "aws_iam_role.r.arn");
    assert_eq!(mapped(json, &g, "annotations"), "annotations");
    // Inside a string with escapes, every character maps to what was written for it.
    assert_eq!(
        mapped(json, &g, "\"system:serviceaccount:a:b\""),
        "\\\"system:serviceaccount:a:b\\\""
    );
    assert_eq!(
        mapped(json, &g, "system:serviceaccount"),
        "system:serviceaccount"
    );
    // A block keyword stands for its innermost label, `=` for the name.
    assert_eq!(mapped(json, &g, "resource"), "\"sa\"");
    assert_eq!(mapped(json, &g, "metadata {"), "\"metadata\": {");
    // Whole blocks start at their label and end at their closing brace.
    let start = g.text.find("resource \"kubernetes").unwrap();
    let end = g.text[start..].find("\n}\n").unwrap() + start + 2;
    let r = g.map.range(&(start..end));
    assert!(json[r.clone()].starts_with("\"sa\": {") && json[r.clone()].ends_with('}'));
    let lines = LineIndex::new(json);
    assert_eq!(lines.span(json, &r).start.line, 1);
}

#[test]
fn every_mapped_range_is_in_order_inside_the_json_and_on_character_boundaries() {
    let json = "{\"locals\": {\"é\": \"a\\\"ü${x}\\n\", \"k\": {\"${y}ß\": [1, \"\\u00e9\"]}}}";
    let g = lowered(json, Mode::Config);
    let lines = LineIndex::new(json);
    for start in 0..=g.text.len() + 2 {
        for end in start..=g.text.len() + 2 {
            let r = g.map.range(&(start..end));
            assert!(
                r.start <= r.end && r.end <= json.len(),
                "{start}..{end} → {r:?}"
            );
            let span = lines.span(json, &r);
            assert!(
                json.is_char_boundary(span.start.offset) && json.is_char_boundary(span.end.offset)
            );
        }
    }
}

#[test]
fn bad_input_is_an_error_at_its_line_and_column() {
    let cases: &[(&str, &str, usize, usize)] = &[
        ("{\n  \"locals\": {\n    \"a\": 1,\n  }\n}", "comma", 3, 11),
        ("{\"locals\": {\"a\": [1, 2,]}}", "comma", 1, 23),
        ("{\"locals\": {\"a\": [1 2]}}", "not a JSON value", 1, 19),
        ("{\"locals\": {\"a\": 1,\n \"a\": 2}}", "given twice", 2, 2),
        (
            "{\"locals\": {},\n \"resources\": {}}",
            "not a top-level block type",
            2,
            2,
        ),
        ("[{\"locals\": {}}]", "one JSON object", 1, 1),
        ("locals:\n  a: 1\n", "in braces", 1, 1),
        ("{\"locals\": {\"a\": 'x'}}", "double quotes", 1, 18),
        ("{\"locals\": {\"a\": 01}}", "not a JSON value", 1, 18),
        (
            "{\"locals\": {\"a b\": 1}}",
            "not a valid argument name",
            1,
            13,
        ),
        ("{\"locals\": {\"a\": \"\\x41\"}}", "invalid escape", 1, 19),
        (
            "{\"resource\": {\"aws_iam_role\": \"x\"}}",
            "must be given as an object",
            1,
            31,
        ),
        ("", "holds no value", 1, 1),
    ];
    for (json, message, line, column) in cases {
        let (m, l, c) = error(json);
        assert!(m.contains(message), "{json}: {m}");
        assert_eq!((l, c), (*line, *column), "{json}: {m}");
    }
    let deep = format!(
        "{{\"locals\": {{\"a\": {}1{}}}}}",
        "[".repeat(300),
        "]".repeat(300)
    );
    assert!(error(&deep).0.contains("nesting"), "{:?}", error(&deep));
}

#[test]
fn hcl_that_does_not_parse_is_an_error_at_the_json_position() {
    let json = "{\"locals\": {\n  \"ok\": 1,\n  \"a\": \"x${local.ok +}\"\n}}";
    let unit = super::super::lint_text_as("main.tf.json", json);
    let (_, message, pos) = unit.errors.first().expect("an error");
    assert!(message.starts_with("invalid Terraform JSON"), "{message}");
    assert_eq!(pos.line, 3, "{message}");
    assert!(pos.column > 3 && pos.offset <= json.len(), "{pos:?}");
}

#[test]
fn tabs_and_crlf_are_json_whitespace() {
    let json = "{\r\n\t\"locals\": {\r\n\t\t\"a\": \"x\"\r\n\t}\r\n}\r\n";
    let g = lowered(json, Mode::Config);
    assert_eq!(lines(&g.text), ["locals {", "a = \"x\"", "}"]);
    let r = g
        .map
        .range(&(g.text.find("\"x\"").unwrap()..g.text.find("\"x\"").unwrap() + 3));
    assert_eq!(LineIndex::new(json).span(json, &r).start.line, 3);
}
