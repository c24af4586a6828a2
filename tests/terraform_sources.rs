//! What Terraform itself reads, and how: an object constructor with a key written twice keeps
//! its last item; a file passed to `templatefile()` is that call's template; only the tfvars
//! Terraform loads (or `--var-file` names) are variable files of a root.

use kubectl_irsa::config::Config;
use kubectl_irsa::lint::{lint, LintOptions};

/// `code path:line` of every finding on a fixture under `testdata/terraform/`.
fn findings(fixture: &str) -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/terraform")
        .join(fixture);
    let opts = LintOptions {
        paths: vec![dir],
        ..Default::default()
    };
    lint(&opts, &Config::default())
        .findings
        .iter()
        .map(|f| {
            let at = f.location.as_ref();
            let path = at.map_or("", |l| l.path.as_str());
            let path = path.rsplit(fixture).next().unwrap_or(path);
            format!("{} {path}:{}", f.code, at.map_or(0, |l| l.line))
        })
        .collect()
}

#[test]
fn a_key_written_twice_in_an_object_keeps_its_last_value_as_in_terraform() {
    // Not "invalid HCL" (IRSA000), and the first, malformed ARN (IRSA001) is not the value.
    assert_eq!(findings("duplicate-object-key"), Vec::<String>::new());
}

#[test]
fn a_file_passed_to_templatefile_is_not_a_manifest_even_when_the_call_is_not_reached() {
    assert_eq!(findings("templatefile-unreached"), Vec::<String>::new());
}

#[test]
fn tfvars_that_terraform_does_not_load_are_not_read() {
    // config/base.tfvars is ERB (a Terraspace layer): not HCL, and no variable file of the root.
    assert_eq!(findings("tfvars-not-loaded"), Vec::<String>::new());
}
