//! Where a Terraform root module's variables come from besides its defaults: `--var` and
//! `--var-file` (as `terraform plan` takes them) and Terragrunt units' `inputs`, merged over
//! their includes.

use kubectl_irsa::config::Config;
use kubectl_irsa::diagnostics::finding::Finding;
use kubectl_irsa::frontends::terraform::TerraformOptions;
use kubectl_irsa::lint::{lint, LintOptions};

fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

fn run(path: &std::path::Path, terraform: TerraformOptions) -> Vec<Finding> {
    let opts = LintOptions {
        paths: vec![path.to_path_buf()],
        terraform,
        ..Default::default()
    };
    lint(&opts, &Config::default()).findings
}

fn codes(findings: &[Finding]) -> Vec<String> {
    findings
        .iter()
        .map(|f| {
            let l = f.location.as_ref();
            format!(
                "{} {}:{} {}",
                f.code,
                l.map_or("", |l| l.path.as_str()),
                l.map_or(0, |l| l.line),
                f.message
            )
        })
        .collect()
}

/// A role trusting `${var.namespace}:${var.service_account}` and the SA `apps/web` that uses it.
const MODULE: &str = r#"variable "namespace" {
  default = "apps"
}
variable "service_account" {
  type = string
}

resource "aws_iam_role" "web" {
  name = "web"
  assume_role_policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/VARS" }
      Condition = { StringEquals = {
        "oidc.eks.eu-west-1.amazonaws.com/id/VARS:sub" = "system:serviceaccount:${var.namespace}:${var.service_account}"
        "oidc.eks.eu-west-1.amazonaws.com/id/VARS:aud" = "sts.amazonaws.com"
      } }
    }]
  })
}

resource "kubernetes_service_account_v1" "web" {
  metadata {
    name        = "web"
    namespace   = "apps"
    annotations = { "eks.amazonaws.com/role-arn" = aws_iam_role.web.arn }
  }
}
"#;

fn mismatches(findings: &[Finding]) -> Vec<&Finding> {
    findings.iter().filter(|f| f.code == "IRSA016").collect()
}

#[test]
fn var_flags_set_root_variables_and_win_over_var_files_and_tfvars() {
    let dir = tree(&[
        ("main.tf", MODULE),
        ("terraform.tfvars", "service_account = \"tfvars-sa\"\n"),
        ("env/prod.tfvars", "service_account = \"web\"\n"),
    ]);
    // terraform.tfvars alone: the trust names `apps/tfvars-sa`.
    let alone = run(dir.path(), TerraformOptions::default());
    assert_eq!(mismatches(&alone).len(), 1, "{:#?}", codes(&alone));
    // --var-file over terraform.tfvars: clean.
    let var_file = TerraformOptions {
        var_files: vec![dir.path().join("env/prod.tfvars")],
        ..Default::default()
    };
    let clean = run(dir.path(), var_file.clone());
    assert!(mismatches(&clean).is_empty(), "{:#?}", codes(&clean));
    // --var over --var-file: wrong again, and the finding names the flag's value.
    let flag = TerraformOptions {
        vars: vec!["service_account=from-flag".into()],
        ..var_file
    };
    let found = run(dir.path(), flag);
    let hits = mismatches(&found);
    assert_eq!(hits.len(), 1, "{:#?}", codes(&found));
    assert!(hits[0]
        .message
        .contains("system:serviceaccount:apps:from-flag"));
}

#[test]
fn a_var_flag_holding_a_json_list_is_a_list_and_undeclared_names_are_ignored() {
    let module = MODULE
        .replace(
            "\"system:serviceaccount:${var.namespace}:${var.service_account}\"",
            "[for sa in var.service_accounts : \"system:serviceaccount:${var.namespace}:${sa}\"]",
        )
        .replace(
            "variable \"service_account\"",
            "variable \"service_accounts\"",
        );
    let dir = tree(&[("main.tf", &module)]);
    let opts = |list: &str| TerraformOptions {
        vars: vec![format!("service_accounts={list}"), "nope=1".into()],
        ..Default::default()
    };
    let clean = run(dir.path(), opts(r#"["worker","web"]"#));
    assert!(mismatches(&clean).is_empty(), "{:#?}", codes(&clean));
    let bad = run(dir.path(), opts(r#"["worker"]"#));
    assert_eq!(mismatches(&bad).len(), 1, "{:#?}", codes(&bad));
}

#[test]
fn a_missing_var_file_is_an_input_error_and_the_run_goes_on() {
    let dir = tree(&[("main.tf", MODULE)]);
    let opts = TerraformOptions {
        var_files: vec![dir.path().join("nope.tfvars")],
        vars: vec!["service_account=web".into()],
        ..Default::default()
    };
    let found = run(dir.path(), opts);
    let errors: Vec<&Finding> = found.iter().filter(|f| f.code == "IRSA000").collect();
    assert_eq!(errors.len(), 1, "{:#?}", codes(&found));
    assert!(errors[0]
        .location
        .as_ref()
        .is_some_and(|l| l.path.ends_with("nope.tfvars")));
    assert!(mismatches(&found).is_empty(), "{:#?}", codes(&found));
}

#[test]
fn tf_var_environment_variables_sit_below_every_tfvars_file() {
    let env = |pairs: &[(&str, &str)]| TerraformOptions {
        env_vars: TerraformOptions::env_vars_from(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .chain([("HOME".to_string(), "/root".to_string())]),
        ),
        ..Default::default()
    };
    let bare = tree(&[("main.tf", MODULE)]);
    // Only the environment names the SA: `web` is clean, `other` is the mismatch.
    let clean = run(bare.path(), env(&[("TF_VAR_service_account", "web")]));
    assert!(mismatches(&clean).is_empty(), "{:#?}", codes(&clean));
    let bad = run(bare.path(), env(&[("TF_VAR_service_account", "other")]));
    assert_eq!(mismatches(&bad).len(), 1, "{:#?}", codes(&bad));
    // terraform.tfvars wins over the environment.
    let with_tfvars = tree(&[
        ("main.tf", MODULE),
        ("terraform.tfvars", "service_account = \"web\"\n"),
    ]);
    let clean = run(
        with_tfvars.path(),
        env(&[("TF_VAR_service_account", "other")]),
    );
    assert!(mismatches(&clean).is_empty(), "{:#?}", codes(&clean));
}

#[test]
fn the_cli_reads_tf_var_from_its_environment() {
    use std::os::unix::ffi::OsStrExt;
    let not_utf8 = std::ffi::OsStr::from_bytes(b"caf\xe9");
    let dir = tree(&[("main.tf", MODULE)]);
    let bin = env!("CARGO_BIN_EXE_kubectl-irsa");
    let lint = |value: &str| {
        std::process::Command::new(bin)
            .args(["lint", "-o", "json"])
            .arg(dir.path())
            .env("TF_VAR_service_account", value)
            // A variable that is not UTF-8 is skipped, never a crash.
            .env("TF_VAR_not_utf8", not_utf8)
            .output()
            .unwrap()
            .status
            .code()
    };
    assert_eq!(lint("web"), Some(0));
    assert_eq!(lint("other"), Some(1));
}

#[test]
fn var_flag_shapes_are_checked() {
    use kubectl_irsa::frontends::terraform::vars::parse_var_flag;
    assert_eq!(
        parse_var_flag("a_b=x=y").unwrap(),
        ("a_b".to_string(), "x=y".to_string())
    );
    assert!(parse_var_flag("novalue").is_err());
    assert!(parse_var_flag("=x").is_err());
    assert!(parse_var_flag("1abc=x").is_err());
    assert!(parse_var_flag("a b=x").is_err());
}

#[test]
fn the_cli_takes_var_and_var_file_and_rejects_a_malformed_var() {
    let dir = tree(&[("main.tf", MODULE)]);
    let bin = env!("CARGO_BIN_EXE_kubectl-irsa");
    let out = std::process::Command::new(bin)
        .args(["lint", "-o", "json", "--var", "service_account=web"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // A flag for a variable nothing declares is said on stderr, and changes nothing else.
    let out = std::process::Command::new(bin)
        .args(["lint", "-o", "json", "--var", "service_account=web"])
        .args(["--var", "nope=1"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("warning: --var nope: no Terraform root module in the run declares"),
        "{stderr}"
    );
    assert!(!stderr.contains("--var service_account"), "{stderr}");
    let out = std::process::Command::new(bin)
        .args(["lint", "--var", "service_account"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("NAME=VALUE"));
}

fn unit(source: &str, inputs: &str) -> String {
    format!(
        "include \"root\" {{\n  path = find_in_parent_folders(\"root.hcl\")\n}}\n\nterraform {{\n  source = \"{source}\"\n}}\n\ninputs = {inputs}\n"
    )
}

#[test]
fn each_terragrunt_unit_runs_its_module_once_with_its_inputs() {
    let dir = tree(&[
        ("modules/web/main.tf", MODULE),
        ("root.hcl", "inputs = {\n  namespace = \"apps\"\n}\n"),
        (
            "live/prod/web/terragrunt.hcl",
            &unit("../../../modules//web", "{ service_account = \"web\" }"),
        ),
        (
            "live/staging/web/terragrunt.hcl",
            &unit(
                "${get_terragrunt_dir()}/../../../modules/web",
                "{ service_account = \"staging-web\" }",
            ),
        ),
    ]);
    let found = run(dir.path(), TerraformOptions::default());
    let hits = mismatches(&found);
    // The module alone (no inputs: its trust would be unknown, a note) is not evaluated; prod
    // is clean; staging is wrong.
    assert_eq!(hits.len(), 1, "{:#?}", codes(&found));
    assert!(
        !found.iter().any(|f| f.code == "IRSA030"),
        "{:#?}",
        codes(&found)
    );
    assert!(
        hits[0].message.contains("apps:staging-web"),
        "{}",
        hits[0].message
    );
}

#[test]
fn terragrunt_includes_merge_shallow_or_deep_and_no_merge_drops_them() {
    let module = MODULE.replace(
        "\"system:serviceaccount:${var.namespace}:${var.service_account}\"",
        "\"system:serviceaccount:${var.settings.namespace}:${var.settings.sa}\"",
    );
    let root = "inputs = {\n  settings = { namespace = \"apps\", sa = \"web\" }\n}\n";
    let child = |strategy: &str| {
        format!(
            "include \"root\" {{\n  path           = find_in_parent_folders(\"root.hcl\")\n  merge_strategy = \"{strategy}\"\n}}\ninputs = {{\n  settings = {{ sa = \"web\" }}\n}}\n"
        )
    };
    for (strategy, expect_mismatch) in [("deep", false), ("shallow", true), ("no_merge", true)] {
        let dir = tree(&[
            ("root.hcl", root),
            ("unit/main.tf", &module),
            ("unit/terragrunt.hcl", &child(strategy)),
        ]);
        let found = run(dir.path(), TerraformOptions::default());
        // Shallow replaces `settings` whole (no namespace: the trust is unknown, a note);
        // deep keeps the root's namespace.
        let clean = mismatches(&found).is_empty()
            && !found
                .iter()
                .any(|f| f.code == "IRSA030" && f.message.contains("settings"));
        assert_eq!(!clean, expect_mismatch, "{strategy}: {:#?}", codes(&found));
    }
}

#[test]
fn remote_and_unreadable_terragrunt_sources_are_said_and_never_fetched() {
    let dir = tree(&[
        (
            "remote/terragrunt.hcl",
            "terraform {\n  source = \"git::https://example.com/modules.git//web?ref=v1\"\n}\ninputs = {}\n",
        ),
        (
            "outside/terragrunt.hcl",
            "terraform {\n  source = \"../../../../../../elsewhere\"\n}\n",
        ),
        (
            "dependency/terragrunt.hcl",
            "dependency \"eks\" {\n  config_path = \"../eks\"\n}\nterraform {\n  source = dependency.eks.outputs.module_path\n}\n",
        ),
        (
            "cycle/terragrunt.hcl",
            "include {\n  path = \"${get_terragrunt_dir()}/terragrunt.hcl\"\n}\n",
        ),
    ]);
    let found = run(dir.path(), TerraformOptions::default());
    let notes: Vec<String> = found
        .iter()
        .filter(|f| f.code == "IRSA030")
        .map(|f| f.message.clone())
        .collect();
    assert!(
        notes
            .iter()
            .any(|m| m.contains("is remote and is not fetched")),
        "{notes:#?}"
    );
    assert!(
        notes
            .iter()
            .any(|m| m.contains("not a directory in the tree")),
        "{notes:#?}"
    );
    assert!(
        notes.iter().any(|m| m.contains("not known offline")),
        "{notes:#?}"
    );
    assert!(
        !found.iter().any(|f| f.code == "IRSA000"),
        "{:#?}",
        codes(&found)
    );
}

#[test]
fn terragrunt_inputs_are_below_the_modules_own_tfvars() {
    let dir = tree(&[
        ("unit/main.tf", MODULE),
        (
            "unit/terragrunt.hcl",
            "inputs = {\n  service_account = \"web\"\n}\n",
        ),
        (
            "unit/terraform.tfvars",
            "service_account = \"from-tfvars\"\n",
        ),
    ]);
    let found = run(dir.path(), TerraformOptions::default());
    let hits = mismatches(&found);
    assert_eq!(hits.len(), 1, "{:#?}", codes(&found));
    assert!(hits[0].message.contains("apps:from-tfvars"));
}

#[test]
fn tf_var_in_the_environment_wins_over_terragrunt_inputs() {
    let dir = tree(&[
        ("unit/main.tf", MODULE),
        (
            "unit/terragrunt.hcl",
            "inputs = {\n  service_account = \"wrong\"\n}\n",
        ),
    ]);
    let inputs_only = run(dir.path(), TerraformOptions::default());
    assert_eq!(
        mismatches(&inputs_only).len(),
        1,
        "{:#?}",
        codes(&inputs_only)
    );
    // Terragrunt does not override a TF_VAR_ already set: the environment's `web` is used.
    let env = TerraformOptions {
        env_vars: vec![("service_account".into(), "web".into())],
        ..Default::default()
    };
    let found = run(dir.path(), env);
    assert!(mismatches(&found).is_empty(), "{:#?}", codes(&found));
}

#[test]
fn a_source_in_an_included_configuration_is_inherited() {
    let dir = tree(&[
        ("modules/web/main.tf", MODULE),
        (
            "root.hcl",
            "terraform {\n  source = \"${get_parent_terragrunt_dir()}/modules//web\"\n}\ninputs = {\n  namespace = \"apps\"\n}\n",
        ),
        (
            "live/web/terragrunt.hcl",
            "include \"root\" {\n  path = find_in_parent_folders(\"root.hcl\")\n}\ninputs = {\n  service_account = \"wrong\"\n}\n",
        ),
    ]);
    let found = run(dir.path(), TerraformOptions::default());
    let hits = mismatches(&found);
    assert_eq!(hits.len(), 1, "{:#?}", codes(&found));
    assert!(
        hits[0].message.contains("apps:wrong"),
        "{}",
        hits[0].message
    );
}
