//! Snapshot tests of every output format over one hand-built report, and SARIF schema validation.

use std::sync::Arc;

use insta::assert_snapshot;
use kubectl_irsa::diagnostics::finding::{
    Finding, Fix, Location, ObjectRef, Replacement, Severity,
};
use kubectl_irsa::diagnostics::RuleInfo;
use kubectl_irsa::report::{render, Format, Report};
use kubectl_irsa::syntax::source::SourceFile;
use kubectl_irsa::syntax::yaml::{pos_at, Span};
use serde_json::Value;

const SA_YAML: &str = "\
apiVersion: v1
kind: ServiceAccount
metadata:
  name: app
  namespace: default
  annotations:
    eks.amazonaws.com/role-arn: arn:aws:iam::123456789012:role/app
    eks.amazonaws.com/sts-regional-endpoints: \"flase\"
";

const TRUST_JSON: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Allow",
    "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC"},
    "Action": "sts:AssumeRoleWithWebIdentity",
    "Condition": {"StringEquals": {"oidc.eks.us-east-1.amazonaws.com/id/ABC:sub": "system:serviceaccount:prod:app"}}
  }]
}
"#;

/// The span of the first occurrence of `needle` in the file.
fn span_of(file: &SourceFile, needle: &str) -> Span {
    let start = file.text.find(needle).expect("needle in fixture");
    Span {
        start: pos_at(&file.text, start),
        end: pos_at(&file.text, start + needle.len()),
    }
}

fn rule(code: &str, name: &str, severity: Severity, summary: &str) -> RuleInfo {
    RuleInfo {
        code: code.into(),
        name: name.into(),
        severity,
        summary: summary.into(),
        doc: format!(
            "{summary}\n\n## Why is this bad?\nIRSA silently falls back to the node role.\n"
        ),
        help_uri: format!("https://example.invalid/rules#{}", code.to_lowercase()),
        source: "built-in".into(),
    }
}

fn report() -> Report {
    let sa = Arc::new(SourceFile::new("deploy/sa.yaml", "deploy/sa.yaml", SA_YAML));
    let trust = Arc::new(SourceFile::new(
        "iam/trust policy.json",
        "iam/trust policy.json",
        TRUST_JSON,
    ));

    let untrusted = Finding {
        code: "IRSA001".into(),
        name: "trust-subject-mismatch".into(),
        severity: Severity::Error,
        message: "role \"app\" does not trust system:serviceaccount:default:app".into(),
        location: Some(Location::new(
            &sa,
            span_of(&sa, "arn:aws:iam::123456789012:role/app"),
        )),
        related: vec![Location::new(
            &trust,
            span_of(&trust, "\"system:serviceaccount:prod:app\""),
        )
        .with_message("the trust policy only allows this subject")],
        object: Some(ObjectRef::new("ServiceAccount", Some("default"), "app")),
        help: Some("add system:serviceaccount:default:app to the sub condition".into()),
        fix: None,
        context: None,
    };

    let bad_bool = span_of(&sa, "\"flase\"");
    let typo = Finding {
        code: "IRSA002".into(),
        name: "invalid-boolean-annotation".into(),
        severity: Severity::Warning,
        message: "sts-regional-endpoints is not \"true\" or \"false\"".into(),
        location: Some(Location::new(&sa, bad_bool)),
        related: vec![Location::new(&sa, span_of(&sa, "name: app")).with_message("on this account")],
        object: Some(ObjectRef::new("ServiceAccount", Some("default"), "app")),
        help: None,
        fix: Some(Fix {
            description: "replace with \"false\"".into(),
            replacements: vec![Replacement {
                location: Location::new(&sa, bad_bool),
                start: bad_bool.start.offset,
                end: bad_bool.end.offset,
                text: "\"false\"".into(),
            }],
        }),
        context: None,
    };

    let missing = Finding {
        code: "IRSA003".into(),
        name: "role-not-found".into(),
        severity: Severity::Note,
        message: "IAM role app does not exist in 123456789012 & cannot be assumed, 100%".into(),
        location: None,
        related: Vec::new(),
        object: Some(ObjectRef::new("Role", None, "app")),
        help: Some("create the role, or fix the annotation".into()),
        fix: None,
        context: None,
    };

    let mut report = Report::new("0.1.0");
    report.findings = vec![untrusted, typo, missing];
    // Not in code order, and one rule without findings.
    report.rules = vec![
        rule(
            "IRSA004",
            "unused-rule",
            Severity::Warning,
            "A rule that found nothing.",
        ),
        rule(
            "IRSA003",
            "role-not-found",
            Severity::Note,
            "The annotated role does not exist.",
        ),
        rule(
            "IRSA001",
            "trust-subject-mismatch",
            Severity::Error,
            "The role does not trust the SA.",
        ),
        rule(
            "IRSA002",
            "invalid-boolean-annotation",
            Severity::Warning,
            "An IRSA annotation is not a boolean.",
        ),
    ];
    report.add_source(sa);
    report.add_source(trust);
    report
}

fn output(report: &Report, format: Format) -> String {
    let mut out = Vec::new();
    render(report, format, false, &mut out).expect("render");
    String::from_utf8(out).expect("utf-8 output")
}

#[test]
fn json() {
    let text = output(&report(), Format::Json);
    assert!(text.ends_with("}\n"));
    assert_snapshot!(text);
}

#[test]
fn human() {
    let mut r = report();
    r.summary = Some("SERVICE ACCOUNT  ROLE  VERDICT\ndefault/app      app   broken".into());
    assert_snapshot!(output(&r, Format::Human));
}

#[test]
fn human_color_differs_only_in_escapes() {
    let r = report();
    let mut colored = Vec::new();
    render(&r, Format::Human, true, &mut colored).expect("render");
    let colored = String::from_utf8(colored).expect("utf-8");
    assert!(colored.contains('\x1b'));
    assert!(!output(&r, Format::Human).contains('\x1b'));
}

#[test]
fn github() {
    assert_snapshot!(output(&report(), Format::Github));
}

#[test]
fn junit() {
    assert_snapshot!(output(&report(), Format::Junit));
}

#[test]
fn empty_report() {
    let r = Report::new("0.1.0");
    assert_eq!(output(&r, Format::Human), "no findings\n");
    assert_eq!(output(&r, Format::Github), "");
    let junit = output(&r, Format::Junit);
    assert_eq!(junit.matches("<testcase ").count(), 1, "{junit}");
    assert!(junit.contains("failures=\"0\""));
    let json: Value = serde_json::from_str(&output(&r, Format::Json)).expect("json");
    assert_eq!(json, serde_json::json!({"version": 1, "findings": []}));
    validate_sarif(&output(&r, Format::Sarif));
}

/// Errors of a SARIF value against the official 2.1.0 schema (a draft-04 schema).
fn schema_errors(sarif: &Value) -> Vec<String> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/testdata/sarif-schema-2.1.0.json"
    );
    let schema =
        std::fs::read_to_string(path).expect("testdata/sarif-schema-2.1.0.json is missing");
    let schema: Value = serde_json::from_str(&schema).expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    validator
        .iter_errors(sarif)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

/// Parse SARIF text and assert that it is valid.
fn validate_sarif(text: &str) -> Value {
    let sarif: Value = serde_json::from_str(text).expect("SARIF is JSON");
    let errors = schema_errors(&sarif);
    assert!(
        errors.is_empty(),
        "SARIF schema errors:\n{}",
        errors.join("\n")
    );
    sarif
}

#[test]
fn schema_validation_is_not_vacuous() {
    let mut sarif = validate_sarif(&output(&report(), Format::Sarif));
    sarif["runs"][0]["results"][0]["level"] = "fatal".into();
    assert!(!schema_errors(&sarif).is_empty());
}

#[test]
fn sarif_is_valid_and_declares_every_rule() {
    let r = report();
    let sarif = validate_sarif(&output(&r, Format::Sarif));
    let run = &sarif["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    let ids: Vec<&str> = rules.iter().filter_map(|x| x["id"].as_str()).collect();
    assert_eq!(ids, ["IRSA004", "IRSA003", "IRSA001", "IRSA002"]);
    for rule in rules {
        for key in ["name", "helpUri"] {
            assert!(rule[key].is_string(), "{key} in {rule}");
        }
        assert!(rule["shortDescription"]["text"].is_string());
        assert!(rule["fullDescription"]["text"].is_string());
        assert!(rule["defaultConfiguration"]["level"].is_string());
    }

    let results = run["results"].as_array().expect("results");
    assert_eq!(results.len(), 3);
    for result in results {
        let index = result["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
        assert!(result["partialFingerprints"]["kubectlIrsa/v1"].is_string());
    }

    let first = &results[0];
    let loc = &first["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "deploy/sa.yaml");
    assert_eq!(loc["region"]["startLine"], 7);
    assert_eq!(loc["region"]["startColumn"], 33);
    assert_eq!(loc["region"]["endColumn"], 67);
    let related = &first["relatedLocations"][0];
    assert_eq!(related["id"], 0);
    assert_eq!(
        related["physicalLocation"]["artifactLocation"]["uri"],
        "iam/trust%20policy.json"
    );
    assert!(related["message"]["text"].is_string());

    let fix = &results[1]["fixes"][0]["artifactChanges"][0];
    assert_eq!(
        fix["replacements"][0]["insertedContent"]["text"],
        "\"false\""
    );
    assert_eq!(fix["replacements"][0]["deletedRegion"]["byteLength"], 7);

    let lonely = &results[2];
    assert!(lonely.get("locations").is_none());
    assert!(lonely["message"]["text"]
        .as_str()
        .expect("text")
        .contains("Role app"));
}

#[test]
fn sarif_fingerprints_are_stable() {
    // FNV-1a of fixed input must never change: code scanning matches alerts across runs by it.
    assert_eq!(
        kubectl_irsa::report::sarif::fnv1a(&[""]),
        0xcbf2_9ce4_8422_2325
    );
    assert_eq!(
        kubectl_irsa::report::sarif::fnv1a(&["a"]),
        0xaf63_dc4c_8601_ec8c
    );
    let a = output(&report(), Format::Sarif);
    let b = output(&report(), Format::Sarif);
    assert_eq!(a, b);
}

#[test]
fn github_escapes_properties_and_data() {
    use kubectl_irsa::report::github::{escape_data, escape_property};
    assert_eq!(escape_data("a%b\r\nc:d,e"), "a%25b%0D%0Ac:d,e");
    assert_eq!(escape_property("a%b\r\nc:d,e"), "a%25b%0D%0Ac%3Ad%2Ce");
}

/// Odd inputs: empty files, spans past the end, stale spans, CRLF, tabs and non-ASCII text.
#[test]
fn odd_spans_render_without_panicking() {
    let empty = Arc::new(SourceFile::new("empty.yaml", "empty.yaml", ""));
    let odd = Arc::new(SourceFile::new(
        "odd.yaml",
        "odd.yaml",
        "a: \"é\"\r\n\tb: ü\r\nc: x",
    ));
    let meta = |path: &str, line, column, start, end| {
        let mut loc = Location::new(&odd, Span::default());
        loc.path = path.into();
        loc.line = line;
        loc.column = column;
        loc.span = Span {
            start: kubectl_irsa::syntax::yaml::Pos {
                offset: start,
                line,
                column,
            },
            end: kubectl_irsa::syntax::yaml::Pos {
                offset: end,
                line,
                column: column + 1,
            },
        };
        loc
    };
    let base = |loc: Location| Finding {
        code: "IRSA009".into(),
        name: "odd".into(),
        severity: Severity::Warning,
        message: "odd".into(),
        location: Some(loc),
        related: vec![meta("missing.yaml", 3, 1, 0, 1)],
        object: None,
        help: None,
        fix: None,
        context: None,
    };
    let mut r = Report::new("0.1.0");
    r.findings = vec![
        base(Location::file(&empty)),
        base(meta("odd.yaml", 1, 5, 5, 6)), // inside "é" (2 bytes)
        base(meta("odd.yaml", 3, 4, 1000, 2000)), // past the end
        base(meta("odd.yaml", 2, 99, 0, 0)), // stale span, column past the line
        base(meta("odd.yaml", 0, 0, 0, 0)), // no position at all
    ];
    r.add_source(empty);
    r.add_source(odd);
    for format in [
        Format::Human,
        Format::Json,
        Format::Sarif,
        Format::Github,
        Format::Junit,
    ] {
        let text = output(&r, format);
        assert!(!text.is_empty(), "{format:?}");
    }
    validate_sarif(&output(&r, Format::Sarif));
}

#[test]
fn sarif_uris() {
    use kubectl_irsa::report::sarif::path_uri;
    assert_eq!(
        path_uri("charts/my chart/values.yaml"),
        "charts/my%20chart/values.yaml"
    );
    assert_eq!(path_uri("dir\\a#b.yaml"), "dir/a%23b.yaml");
    assert_eq!(path_uri("/tmp/x y.yaml"), "file:///tmp/x%20y.yaml");
    assert_eq!(path_uri("C:\\work\\é.yaml"), "file:///C:/work/%C3%A9.yaml");
}
