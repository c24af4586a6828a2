//! Pulumi stack exports and previews: trusts, ServiceAccounts, Pod Identity associations and
//! Helm releases read from the JSON, each finding at the value's line and column; secrets never
//! kept; bad input as IRSA000; programs and CDK apps without their output as one IRSA057 note.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use kubectl_irsa::config::Config;
use kubectl_irsa::diagnostics::finding::Finding;
use kubectl_irsa::lint::{lint, LintOptions};

fn data(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/pulumi")
        .join(rel)
}

fn findings(rel: &str) -> Vec<Finding> {
    let opts = LintOptions {
        paths: vec![data(rel)],
        ..Default::default()
    };
    lint(&opts, &Config::default()).findings
}

/// (line, column) of `needle` searched from the `after` marker.
fn where_is(rel: &str, after: &str, needle: &str) -> (usize, usize) {
    let text = std::fs::read_to_string(data(rel)).unwrap();
    let from = text
        .find(after)
        .unwrap_or_else(|| panic!("{after} not in {rel}"));
    let offset = from
        + text[from..]
            .find(needle)
            .unwrap_or_else(|| panic!("{needle} not in {rel}"));
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before[before.rfind('\n').map_or(0, |i| i + 1)..]
        .chars()
        .count()
        + 1;
    (line, col)
}

fn summary(f: &[Finding]) -> Vec<(String, usize, usize)> {
    f.iter()
        .map(|f| {
            let l = f.location.as_ref().expect("a location");
            (f.code.clone(), l.line, l.column)
        })
        .collect()
}

fn codes(f: &[Finding]) -> Vec<&str> {
    f.iter().map(|f| f.code.as_str()).collect()
}

/// The export's trust names `payments/app`; its ServiceAccount is `orders/app`.
#[test]
fn export_trust_is_checked_against_the_exports_service_account() {
    let rel = "export-bad.json";
    let f = findings(rel);
    // Inside the JSON string of `inputs.assumeRolePolicy` (inputs come first), at the `:sub` key.
    let key = where_is(
        rel,
        "\"assumeRolePolicy\"",
        "\\\"oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE:sub",
    );
    assert_eq!(
        summary(&f),
        [("IRSA016".to_string(), key.0, key.1)],
        "{f:#?}"
    );
    assert!(f[0].message.contains("`orders/app`"), "{}", f[0].message);
    assert!(f[0].message.contains("payments:app"), "{}", f[0].message);
    let sa = where_is(
        rel,
        "kubernetes:core/v1:ServiceAccount::app-sa",
        "\"eks.amazonaws.com/role-arn\"",
    );
    assert_eq!((f[0].related[0].line, f[0].related[0].column), sa);
    let good = findings("export-good.json");
    assert!(good.is_empty(), "{good:#?}");
}

/// A preview: the role's ARN and the annotation are unknown (`04da6b54-…`); the account's role
/// is the one it depends on, named by the role's known name and its provider's account.
#[test]
fn preview_unknown_role_arn_is_the_role_the_account_depends_on() {
    let f = findings("preview-bad.json");
    assert_eq!(codes(&f), ["IRSA016"], "{f:#?}");
    assert!(
        f[0].message.contains("role `worker-role-9f8e7d6`"),
        "{}",
        f[0].message
    );
    assert!(f[0].message.contains("`jobs/worker`"), "{}", f[0].message);
    let good = findings("preview-good.json");
    assert!(good.is_empty(), "{good:#?}");
    // With no role among its dependencies, the annotation stays symbolic: noted, never dropped.
    let f = findings("preview-no-dependency.json");
    assert_eq!(codes(&f), ["IRSA053"], "{f:#?}");
}

/// `aws:eks/podIdentityAssociation` whose role (unknown ARN, by dependency) trusts IRSA only.
#[test]
fn preview_pod_identity_association_is_checked_against_its_roles_trust() {
    let f = findings("preview-pod-identity-bad.json");
    assert_eq!(codes(&f), ["IRSA065"], "{f:#?}");
    let good = findings("preview-pod-identity-good.json");
    // The role's ARN has no account before apply: noted, never an error.
    assert!(good.iter().all(|f| f.code == "IRSA053"), "{good:#?}");
}

/// `kubernetes:helm.sh/v3:Release` of a remote chart: its values go through the chart's pack.
#[test]
fn helm_release_values_go_through_the_chart_pack() {
    let rel = "export-helm-bad.json";
    let f = findings(rel);
    assert_eq!(codes(&f), ["IRSA016"], "{f:#?}");
    assert!(
        f[0].message
            .contains("`kube-system/aws-load-balancer-controller`"),
        "{}",
        f[0].message
    );
    let good = findings("export-helm-good.json");
    assert!(good.is_empty(), "{good:#?}");
}

#[test]
fn bad_input_is_an_input_error_at_its_place() {
    let rel = "export-version-9.json";
    let f = findings(rel);
    let at = where_is(rel, "\"version\"", "9");
    assert_eq!(summary(&f), [("IRSA000".to_string(), at.0, at.1)], "{f:#?}");
    assert!(f[0].message.contains("version `9`"), "{}", f[0].message);
    let f = findings("export-truncated.json");
    assert_eq!(codes(&f), ["IRSA000"], "{f:#?}");
    assert!(
        f[0].message.contains("Pulumi stack export"),
        "{}",
        f[0].message
    );
}

/// Secrets (ciphertext, the secrets provider's state, a provider's kubeconfig) are blanked in
/// the text kept for snippets; what is read stays.
#[test]
fn secrets_are_never_kept() {
    let path = data("export-bad.json");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("SuperSecretCiphertextDoNotPrint"));
    let file = Arc::new(kubectl_irsa::syntax::source::SourceFile::new(
        &path,
        "export-bad.json",
        text.clone(),
    ));
    let lowered = kubectl_irsa::frontends::lower_file(&file);
    let kept = lowered.file.expect("a redacted copy");
    assert_eq!(kept.text.len(), text.len());
    assert!(!kept.text.contains("SuperSecret"), "{}", kept.text);
    assert!(!kept.text.contains("c2FsdGVk"), "{}", kept.text);
    assert!(kept.text.contains("system:serviceaccount:payments:app"));
    assert_eq!(lowered.facts.policies.len(), 1);
}

fn notes(dir: &str) -> Vec<Finding> {
    findings(dir)
        .into_iter()
        .filter(|f| f.code == "IRSA057")
        .collect()
}

/// `Pulumi.yaml` / `cdk.json` without their output: one note each, naming the command.
#[test]
fn programs_without_their_output_are_noted_once() {
    let f = notes("programs/pulumi-only");
    assert_eq!(f.len(), 1, "{f:#?}");
    assert!(
        f[0].message
            .contains("pulumi stack export --file stack.json"),
        "{}",
        f[0].message
    );
    assert!(notes("programs/pulumi-exported").is_empty());
    let f = notes("programs/cdk-only");
    assert_eq!(f.len(), 1, "{f:#?}");
    assert!(f[0].message.contains("cdk synth"), "{}", f[0].message);
    // cdk.out is there: its templates are read by the CloudFormation front-end (this one has
    // the IRSA002 of `testdata/cloudformation/cdk.out`, and the IRSA053 of its role ARN, whose
    // account is set at deploy time).
    let synth = findings("programs/cdk-synth");
    let loud: Vec<_> = synth.iter().filter(|f| f.code != "IRSA053").collect();
    assert_eq!(loud.len(), 1, "{synth:#?}");
    assert_eq!(loud[0].code, "IRSA002", "{synth:#?}");
}

/// A `cdk.out` that `.gitignore` hides from the walk (as CDK's project template does) is not
/// read by `lint .`: the note says to lint it by path. (Built in a temporary directory: a
/// committed `.gitignore` would hide the fixture from git too.)
#[test]
fn a_git_ignored_cdk_out_is_named_in_the_note() {
    let dir = std::env::temp_dir().join(format!("irsa-cdk-ignored-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("cdk.out")).unwrap();
    std::fs::copy(data("programs/cdk-only/cdk.json"), dir.join("cdk.json")).unwrap();
    std::fs::copy(
        data("programs/cdk-synth/cdk.out/AppStack.template.json"),
        dir.join("cdk.out/AppStack.template.json"),
    )
    .unwrap();
    std::fs::write(dir.join(".gitignore"), "node_modules\ncdk.out\n").unwrap();
    let opts = LintOptions {
        paths: vec![dir.clone()],
        ..Default::default()
    };
    let f = lint(&opts, &Config::default()).findings;
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(codes(&f), ["IRSA057"], "{f:#?}");
    assert!(
        f[0].message.contains("kubectl irsa lint"),
        "{}",
        f[0].message
    );
}
