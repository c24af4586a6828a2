//! Terraform's JSON syntax (`*.tf.json`, `*.tfvars.json`): the same checks as HCL, findings at
//! the JSON line and column, directories that mix both syntaxes, and bad JSON as input errors.
//! (The `json-syntax` bad/good fixture pair is also in `tests/terraform.rs`'s table.)

use std::path::{Path, PathBuf};

use kubectl_irsa::config::Config;
use kubectl_irsa::diagnostics::finding::Finding;
use kubectl_irsa::lint::{lint, LintOptions};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/terraform")
        .join(name)
}

fn run(path: &Path) -> Vec<Finding> {
    let opts = LintOptions {
        paths: vec![path.to_path_buf()],
        ..Default::default()
    };
    lint(&opts, &Config::default()).findings
}

fn describe(findings: &[Finding]) -> String {
    findings
        .iter()
        .map(|f| {
            let l = f.location.as_ref();
            format!(
                "  {} {}:{}:{}: {}",
                f.code,
                l.map_or("-", |l| l.path.as_str()),
                l.map_or(0, |l| l.line),
                l.map_or(0, |l| l.column),
                f.message
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

/// `(file name, line, column, message)` of each finding with `code`.
fn at(findings: &[Finding], code: &str) -> Vec<(String, usize, usize, String)> {
    findings
        .iter()
        .filter(|f| f.code == code)
        .filter_map(|f| {
            let l = f.location.as_ref()?;
            let name = l.path.rsplit('/').next().unwrap_or("").to_string();
            Some((name, l.line, l.column, f.message.clone()))
        })
        .collect()
}

#[test]
fn each_mismatch_of_the_json_fixture_is_at_its_line_and_column() {
    let bad = run(&fixture("json-syntax").join("bad"));
    let found: Vec<(usize, usize, bool)> = at(&bad, "IRSA016")
        .into_iter()
        .map(|(file, line, column, message)| {
            assert_eq!(file, "main.tf.json");
            (line, column, message.contains("does not trust"))
        })
        .collect();
    // The `:sub` key inside "${jsonencode(…)}" (after escaped quotes), the policy document's
    // `variable`, the module's `namespace_service_accounts` element.
    assert_eq!(
        found,
        [(10, 235, true), (62, 29, true), (85, 41, true)],
        "{}",
        describe(&bad)
    );
    assert_eq!(bad.len(), 3, "{}", describe(&bad));
    // The service account's side is a related location on its annotation.
    let related: Vec<usize> = bad
        .iter()
        .filter_map(|f| f.related.first().map(|r| r.line))
        .collect();
    assert_eq!(related, [23, 33, 43], "{}", describe(&bad));
}

#[test]
fn a_literal_json_string_gets_its_fix_and_templates_do_not() {
    let bad = run(&fixture("json-syntax").join("bad"));
    let fixes: Vec<(usize, String)> = bad
        .iter()
        .flat_map(|f| f.fix.iter().flat_map(|x| &x.replacements))
        .map(|r| (r.location.line, r.text.clone()))
        .collect();
    assert_eq!(
        fixes,
        [(63, "\"system:serviceaccount:dns:external-dns\"".to_string())],
        "{}",
        describe(&bad)
    );
    // Applied, the file is still JSON and the finding is gone.
    let dir = tree(&[(
        "main.tf.json",
        &std::fs::read_to_string(fixture("json-syntax").join("bad/main.tf.json")).unwrap(),
    )]);
    let opts = LintOptions {
        paths: vec![dir.path().to_path_buf()],
        ..Default::default()
    };
    let mut result = lint(&opts, &Config::default());
    result.read_back_texts(opts.max_file_size);
    let applied = kubectl_irsa::lint::fix::apply(&result.findings, &result.sources).unwrap();
    assert_eq!(applied.files.len(), 1, "{:?}", applied.files);
    let fixed = std::fs::read_to_string(dir.path().join("main.tf.json")).unwrap();
    serde_json::from_str::<serde_json::Value>(&fixed).expect("still JSON");
    let after = run(dir.path());
    assert_eq!(at(&after, "IRSA016").len(), 2, "{}", describe(&after));
}

#[test]
fn a_comment_property_ignores_a_finding_in_json() {
    let text = std::fs::read_to_string(fixture("json-syntax").join("bad/main.tf.json"))
        .unwrap()
        .replacen(
            "                \"variable\": \"${replace(",
            "                \"//\": \"irsa:ignore[IRSA016] renamed next release\",\n                \"variable\": \"${replace(",
            1,
        );
    let dir = tree(&[("main.tf.json", &text)]);
    let findings = run(dir.path());
    let lines: Vec<usize> = at(&findings, "IRSA016").iter().map(|h| h.1).collect();
    assert_eq!(lines, [10, 86], "{}", describe(&findings));
}

#[test]
fn a_policy_written_as_a_json_string_points_inside_the_string() {
    let policy = r#"{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Principal\": {\"Federated\": \"arn:aws:iam::111122223333:oidc-provider/o.example/id/1\"}, \"Action\": \"sts:AssumeRoleWithWebIdentity\", \"Condition\": {\"StringEquals\": {\"o.example/id/1:sub\": \"system:serviceaccount:apps:other\", \"o.example/id/1:aud\": \"sts.amazonaws.com\"}}}]}"#;
    let role = format!(
        "{{\"resource\": {{\"aws_iam_role\": {{\"app\": {{\n  \"name\": \"app\",\n  \"assume_role_policy\": \"{policy}\"\n}}}}}}}}\n"
    );
    let dir = tree(&[("role.tf.json", &role), ("sa.tf.json", SA_JSON)]);
    let findings = run(dir.path());
    let hits = at(&findings, "IRSA016");
    assert_eq!(hits.len(), 1, "{}", describe(&findings));
    let line = role.lines().nth(2).unwrap();
    let column = line[..line.find("\\\"o.example/id/1:sub").unwrap()]
        .chars()
        .count()
        + 1;
    assert_eq!(
        (hits[0].1, hits[0].2),
        (3, column),
        "{}",
        describe(&findings)
    );
}

const ROLE_TF: &str = r#"resource "aws_iam_role" "app" {
  name = "app"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = "arn:aws:iam::111122223333:oidc-provider/o.example/id/1" }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = { StringEquals = {
        "o.example/id/1:sub" = "system:serviceaccount:${var.namespace}:app"
        "o.example/id/1:aud" = "sts.amazonaws.com"
      } }
    }]
  })
}
"#;

const SA_JSON: &str = r#"{
  "resource": {
    "kubernetes_service_account_v1": {
      "app": {
        "metadata": {
          "name": "app",
          "namespace": "apps",
          "annotations": {
            "eks.amazonaws.com/role-arn": "${aws_iam_role.app.arn}"
          }
        }
      }
    }
  }
}
"#;

#[test]
fn a_directory_may_mix_hcl_and_json_files_and_json_variable_files() {
    let variables = r#"{"variable": {"namespace": {"type": "string", "default": "apps"}}}"#;
    // Clean: the default agrees with the SA's namespace.
    let clean = tree(&[
        ("main.tf", ROLE_TF),
        ("sa.tf.json", SA_JSON),
        ("variables.tf.json", variables),
    ]);
    let findings = run(clean.path());
    assert!(findings.is_empty(), "{}", describe(&findings));
    // terraform.tfvars.json sets it, *.auto.tfvars.json wins over it.
    for (vars, wrong) in [
        (
            vec![("terraform.tfvars.json", r#"{"namespace": "web"}"#)],
            true,
        ),
        (
            vec![
                ("terraform.tfvars.json", r#"{"namespace": "web"}"#),
                ("z.auto.tfvars.json", r#"{"namespace": "apps"}"#),
            ],
            false,
        ),
    ] {
        let mut files = vec![
            ("main.tf", ROLE_TF),
            ("sa.tf.json", SA_JSON),
            ("variables.tf.json", variables),
        ];
        files.extend(vars);
        let dir = tree(&files);
        let findings = run(dir.path());
        let hits = at(&findings, "IRSA016");
        if wrong {
            assert_eq!(hits.len(), 1, "{}", describe(&findings));
            assert_eq!((hits[0].0.as_str(), hits[0].1), ("main.tf", 10));
            let related = &findings[0].related[0];
            assert!(related.path.ends_with("sa.tf.json"), "{related:?}");
            assert_eq!((related.line, related.column), (9, 13));
        } else {
            assert!(findings.is_empty(), "{}", describe(&findings));
        }
    }
}

#[test]
fn a_json_role_pairs_with_an_hcl_service_account_and_a_dynamic_statement() {
    let role = r#"{
  "data": {"aws_iam_policy_document": {"trust": {
    "dynamic": {"statement": {
      "for_each": ["app"],
      "iterator": "sa",
      "content": {
        "actions": ["sts:AssumeRoleWithWebIdentity"],
        "principals": {"type": "Federated", "identifiers": ["arn:aws:iam::111122223333:oidc-provider/o.example/id/1"]},
        "condition": {"test": "StringEquals", "variable": "o.example/id/1:sub", "values": ["system:serviceaccount:apps:${sa.value}-x"]}
      }
    }}
  }}},
  "resource": {"aws_iam_role": {"app": {"name": "app", "assume_role_policy": "${data.aws_iam_policy_document.trust.json}"}}}
}"#;
    let sa = "resource \"kubernetes_service_account_v1\" \"app\" {\n  metadata {\n    name      = \"app\"\n    namespace = \"apps\"\n    annotations = { \"eks.amazonaws.com/role-arn\" = aws_iam_role.app.arn }\n  }\n}\n";
    let dir = tree(&[("iam.tf.json", role), ("sa.tf", sa)]);
    let findings = run(dir.path());
    let hits = at(&findings, "IRSA016");
    assert_eq!(hits.len(), 1, "{}", describe(&findings));
    assert_eq!((hits[0].0.as_str(), hits[0].1), ("iam.tf.json", 9));
    assert!(hits[0].3.contains("apps:app-x"), "{}", hits[0].3);
}

#[test]
fn bad_json_syntax_is_an_input_error_with_line_and_column_and_the_run_goes_on() {
    let dir = tree(&[
        ("broken.tf.json", "{\n  \"locals\": {\n    \"a\": 1\n  \n}\n"),
        (
            "dup.tf.json",
            "{\n  \"locals\": {\"a\": 1},\n  \"locals\": {\"b\": 2}\n}\n",
        ),
        ("unknown.tf.json", "{\n  \"locals\": {},\n  \"resources\": {}\n}\n"),
        ("array.tf.json", "[\n  {\"locals\": {}}\n]\n"),
        ("terraform.tfvars.json", "{\"namespace\": 'web'}"),
        ("main.tf", ROLE_TF),
        ("sa.tf.json", SA_JSON),
        (
            "variables.tf.json",
            r#"{"variable": {"namespace": {"default": "other"}}}"#,
        ),
        ("ok.yaml", "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: a\n  annotations:\n    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/x y\n"),
    ]);
    let findings = run(dir.path());
    let errors: Vec<(String, usize, usize)> = at(&findings, "IRSA000")
        .into_iter()
        .map(|(f, l, c, _)| (f, l, c))
        .collect();
    for expected in [
        ("broken.tf.json", 6, 1),
        ("dup.tf.json", 3, 3),
        ("unknown.tf.json", 3, 3),
        ("array.tf.json", 1, 1),
        ("terraform.tfvars.json", 1, 15),
    ] {
        let expected = (expected.0.to_string(), expected.1, expected.2);
        assert!(
            errors.contains(&expected),
            "{expected:?}:\n{}",
            describe(&findings)
        );
    }
    assert_eq!(errors.len(), 5, "{}", describe(&findings));
    // The valid files of the same module are still evaluated, and the YAML beside them linted.
    let hits = at(&findings, "IRSA016");
    assert_eq!(hits.len(), 1, "{}", describe(&findings));
    assert!(hits[0].3.contains("other:app"), "{}", hits[0].3);
    assert!(
        findings.iter().any(|f| f.code == "IRSA001"),
        "{}",
        describe(&findings)
    );
}

#[test]
fn deep_huge_and_binary_json_files_do_not_crash() {
    let deep = format!(
        "{{\"locals\": {{\"a\": {}1{}}}}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let hcl_deep = format!(
        "{{\"locals\": {{\"a\": {}1{}}}}}",
        "[".repeat(200),
        "]".repeat(200)
    );
    let template = format!("{{\"locals\": {{\"a\": \"{}\"}}}}", "${\\\"".repeat(50_000));
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in [
        ("deep.tf.json", deep.as_bytes()),
        ("hcl-deep.tf.json", hcl_deep.as_bytes()),
        ("template.tf.json", template.as_bytes()),
        (
            "bad-utf8.tf.json",
            b"{\"locals\": {\"a\": \"\xff\"}}".as_slice(),
        ),
    ] {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let findings = run(dir.path());
    let errors = at(&findings, "IRSA000");
    for name in [
        "deep.tf.json",
        "hcl-deep.tf.json",
        "template.tf.json",
        "bad-utf8.tf.json",
    ] {
        assert!(
            errors
                .iter()
                .any(|(f, l, c, _)| f == name && *l >= 1 && *c >= 1),
            "{name}: {}",
            describe(&findings)
        );
    }
}
