//! Terraform evaluation degrades per value, never per document, module or file: for each source
//! of values not known offline (a data source, remote state, a variable without a value, a
//! registry module's output) inside Helm values, trusts written as strings, templates and module
//! inputs, the known parts are still checked and a planted mismatch is still found. Bad input
//! (module and template cycles, deep template nesting, a huge heredoc) is a note or an error at
//! a file and line, never a hang.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

const FIXTURES: &str = "testdata/terraform/degrade";

/// How each fixture writes its unknown (`data.aws_eks_cluster.this…`), and the other sources
/// it is replaced by, with the declarations they need.
const SOURCES: &[(&str, &str)] = &[
    ("data source", "data.aws_eks_cluster.this"),
    (
        "remote state",
        "data.terraform_remote_state.eks.outputs.cluster",
    ),
    ("unknown variable", "var.cluster"),
    ("module output", "module.eks.cluster"),
];

const DECLARATIONS: &str = r#"
data "terraform_remote_state" "eks" {
  backend = "s3"
}

variable "cluster" {}

module "eks" {
  source  = "terraform-aws-modules/eks/aws"
  version = "20.8.5"
}
"#;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `lint DIR --format json --verbose` from DIR, killed (and failed) past `limit`.
fn lint_within(dir: &Path, limit: Duration) -> Value {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kubectl-irsa"))
        .current_dir(dir)
        .args(["lint", ".", "--format", "json", "--verbose"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > limit {
            child.kill().ok();
            panic!("lint of {} did not finish in {limit:?}", dir.display());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
}

fn lint(dir: &Path) -> Value {
    lint_within(dir, Duration::from_secs(60))
}

fn findings<'a>(json: &'a Value, code: &str) -> Vec<&'a Value> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == code)
        .collect()
}

fn at(f: &Value) -> (String, u64) {
    let l = &f["location"];
    (
        l["path"].as_str().unwrap().to_string(),
        l["line"].as_u64().unwrap(),
    )
}

fn related(f: &Value) -> Vec<(String, u64)> {
    f["related"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| {
            (
                r["path"].as_str().unwrap().to_string(),
                r["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// A copy of a fixture with its unknown written as `source` (and `edit` applied to its `.tf`).
fn variant(fixture: &str, source: &str, edit: &dyn Fn(String) -> String) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    copy(
        &root().join(FIXTURES).join(fixture),
        tmp.path(),
        source,
        edit,
    );
    std::fs::write(tmp.path().join("declarations.tf"), DECLARATIONS).unwrap();
    tmp
}

fn copy(from: &Path, to: &Path, source: &str, edit: &dyn Fn(String) -> String) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy(&path, &target, source, edit);
            continue;
        }
        let mut text = std::fs::read_to_string(&path).unwrap();
        if path.extension().is_some_and(|e| e == "tf") {
            text = edit(text.replace("data.aws_eks_cluster.this", source));
        }
        std::fs::write(target, text).unwrap();
    }
}

/// For every source of unknowns, the bad twin has exactly one IRSA016 (at `line` of `file`) and
/// the good twin none.
fn planted_mismatch_found(fixture: &str, file: &str, line: u64) {
    for (what, source) in SOURCES {
        let bad = variant(&format!("{fixture}/bad"), source, &|t| t);
        let json = lint(bad.path());
        let hits = findings(&json, "IRSA016");
        assert_eq!(hits.len(), 1, "{fixture} with a {what}: {json:#}");
        assert_eq!(at(hits[0]), (file.to_string(), line), "{fixture}, {what}");
        let good = variant(&format!("{fixture}/good"), source, &|t| t);
        let json = lint(good.path());
        let wrong: Vec<_> = json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["severity"] != "note")
            .collect();
        assert!(wrong.is_empty(), "{fixture} good with a {what}: {json:#}");
    }
}

/// `values = [yamlencode({...})]` with one unknown keeps the document: the service account the
/// chart creates is `lb-controller`, with the role, and the role trusts another name.
#[test]
fn helm_values_with_an_unknown_keep_the_service_account() {
    planted_mismatch_found("values", "main.tf", 17);
}

/// The same values as a `templatefile()` whose text is parsed with the unknown stood in.
#[test]
fn helm_values_template_with_an_unknown_keeps_the_service_account() {
    planted_mismatch_found("values-template", "main.tf", 17);
}

/// A heredoc trust with an unknown provider host (`"${local.oidc}:sub"`) and a `Sid` whose
/// interpolation has quotes of its own is checked on its known parts.
#[test]
fn heredoc_trust_with_unknowns_is_checked_on_its_known_parts() {
    planted_mismatch_found("heredoc-trust", "main.tf", 23);
}

/// A `sub` of the wrong shape in a heredoc with unknowns is still IRSA027.
#[test]
fn heredoc_trust_with_unknowns_still_has_its_sub_shape_checked() {
    for (what, source) in SOURCES {
        let bad = variant("heredoc-trust/good", source, &|t| {
            t.replace(
                "system:serviceaccount:apps:app",
                "system:serviceaccount:apps",
            )
        });
        let json = lint(bad.path());
        let hits = findings(&json, "IRSA027");
        assert_eq!(hits.len(), 1, "{what}: {json:#}");
        assert_eq!(at(hits[0]), ("main.tf".to_string(), 23), "{what}");
    }
}

/// `data "template_file"`: the trust is the template filled with `vars` (one unknown); the
/// finding is at the template's line, with the role and the data block as related locations.
#[test]
fn template_file_data_source_is_filled_and_located_in_the_template() {
    planted_mismatch_found("template-file", "trust.json.tpl", 8);
    let json = lint(&root().join(FIXTURES).join("template-file/bad"));
    let hit = findings(&json, "IRSA016")[0];
    let rel = related(hit);
    for line in [6, 17] {
        assert!(rel.contains(&("main.tf".to_string(), line)), "{rel:?}");
    }
}

/// A local module whose inputs include an unknown still makes its service account.
#[test]
fn module_inputs_with_an_unknown_keep_the_known_ones() {
    planted_mismatch_found("module-input", "main.tf", 18);
}

/// A policy document in another file: the finding points at the document, the role is related.
#[test]
fn policy_document_in_another_file_is_where_the_finding_points() {
    let json = lint(&root().join(FIXTURES).join("policy-elsewhere"));
    let hits = findings(&json, "IRSA016");
    assert_eq!(hits.len(), 1, "{json:#}");
    assert_eq!(at(hits[0]), ("policies.tf".to_string(), 11));
    assert!(
        related(hits[0]).contains(&("main.tf".to_string(), 3)),
        "{json:#}"
    );
}

/// Module a takes b's output while b takes a's: every module is evaluated (the mismatch is
/// found), and a larger root of such pairs is read as fast as one without them.
#[test]
fn mutually_referencing_modules_are_evaluated_per_attribute() {
    let json = lint(&root().join(FIXTURES).join("mutual"));
    let hits = findings(&json, "IRSA016");
    assert_eq!(hits.len(), 1, "{json:#}");
    assert_eq!(at(hits[0]), ("modules/a/main.tf".to_string(), 14));
    assert!(findings(&json, "IRSA030").is_empty(), "{json:#}");
    let tmp = tempfile::tempdir().unwrap();
    mutual_pairs(tmp.path(), 3);
    let json = lint_within(tmp.path(), Duration::from_secs(20));
    assert_eq!(json["summary"]["service_accounts"], 3, "{json:#}");
    assert_eq!(json["summary"]["checked_pairs"], 3, "{json:#}");
}

/// `pairs` pairs of a role module taking its service-account module's outputs, which takes the
/// role's ARN.
fn mutual_pairs(dir: &Path, pairs: usize) {
    let write = |p: &str, t: &str| {
        let path = dir.join(p);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, t).unwrap();
    };
    let role = std::fs::read_to_string(root().join(FIXTURES).join("mutual/modules/a/main.tf"));
    write(
        "modules/a/main.tf",
        &role
            .unwrap()
            .replace("\"runner\"", "\"runner-${var.sa_name}\""),
    );
    let sa = "variable \"role_arn\" {}\nvariable \"name\" {}\n\
        resource \"kubernetes_service_account_v1\" \"this\" {\n  metadata {\n    name = var.name\n    namespace = \"ci\"\n    annotations = { \"eks.amazonaws.com/role-arn\" = var.role_arn }\n  }\n}\n\
        output \"name\" { value = var.name }\noutput \"namespace\" { value = \"ci\" }\n";
    write("modules/b/main.tf", sa);
    let mut main = String::new();
    for i in 0..pairs {
        main.push_str(&format!(
            "module \"a{i}\" {{\n  source = \"./modules/a\"\n  namespace = module.b{i}.namespace\n  sa_name = module.b{i}.name\n}}\n\
             module \"b{i}\" {{\n  source = \"./modules/b\"\n  name = \"app-{i}\"\n  role_arn = module.a{i}.role_arn\n}}\n"
        ));
    }
    write("main.tf", &main);
}

fn note_at(json: &Value, needle: &str) -> (String, u64) {
    let hit = findings(json, "IRSA030")
        .into_iter()
        .find(|f| f["message"].as_str().unwrap().contains(needle))
        .unwrap_or_else(|| panic!("no note with `{needle}`: {json:#}"));
    at(hit)
}

/// An output that really depends on itself is a note at the reference, not a hang.
#[test]
fn a_module_cycle_is_a_note_at_its_reference() {
    let json = lint(&root().join(FIXTURES).join("cycle"));
    let (path, line) = note_at(&json, "depends on itself");
    assert_eq!((path.as_str(), line), ("main.tf", 4));
}

fn trust_with_template(dir: &Path, template: &str) {
    let main = format!(
        "resource \"aws_iam_role\" \"r\" {{\n  name = \"r\"\n  assume_role_policy = templatefile(\"${{path.module}}/{template}\", {{}})\n}}\n"
    );
    std::fs::write(dir.join("main.tf"), main).unwrap();
}

/// A template that fills itself in is a note at the call inside it.
#[test]
fn a_template_cycle_is_a_note() {
    let tmp = tempfile::tempdir().unwrap();
    trust_with_template(tmp.path(), "a.tpl");
    std::fs::write(
        tmp.path().join("a.tpl"),
        "{\n  \"x\": ${templatefile(\"${path.module}/a.tpl\", {})}\n}\n",
    )
    .unwrap();
    let json = lint_within(tmp.path(), Duration::from_secs(20));
    assert_eq!(note_at(&json, "includes itself"), ("a.tpl".to_string(), 2));
}

/// Templates nested 10,000 deep: a note where the nesting passes the limit, quickly.
#[test]
fn templates_nested_ten_thousand_deep_are_a_note() {
    let tmp = tempfile::tempdir().unwrap();
    trust_with_template(tmp.path(), "t0.tpl");
    for i in 0..10_000 {
        let next = format!(
            "\n${{templatefile(\"${{path.module}}/t{}.tpl\", {{}})}}\n",
            i + 1
        );
        std::fs::write(tmp.path().join(format!("t{i}.tpl")), next).unwrap();
    }
    let json = lint_within(tmp.path(), Duration::from_secs(30));
    let (path, line) = note_at(&json, "nested more than");
    assert!(path.ends_with(".tpl") && line == 2, "{path}:{line}");
}

/// A 20 MB heredoc: an error at the file (over `--max-file-size`), never a hang.
#[test]
fn a_twenty_megabyte_heredoc_is_reported_not_hung_on() {
    let tmp = tempfile::tempdir().unwrap();
    let mut main = String::from(
        "resource \"aws_iam_role\" \"r\" {\n  name = \"r\"\n  assume_role_policy = <<EOT\n",
    );
    let line = "{\"Version\": \"2012-10-17\", \"Statement\": []}\n";
    while main.len() < 20 << 20 {
        main.push_str(line);
    }
    main.push_str("EOT\n}\n");
    std::fs::write(tmp.path().join("main.tf"), main).unwrap();
    let json = lint_within(tmp.path(), Duration::from_secs(60));
    // Over the size limit: an input error on the file as a whole (line 0, as for every format).
    let hits = findings(&json, "IRSA000");
    assert_eq!(hits.len(), 1, "{json:#}");
    assert_eq!(hits[0]["location"]["path"], "main.tf");
    let message = hits[0]["message"].as_str().unwrap();
    assert!(message.contains("--max-file-size"), "{message}");
}
