//! CloudFormation templates (hand-written YAML with short-form tags, JSON with `Fn::Sub` strings,
//! an eksctl iamserviceaccount stack, a CDK `cdk.out` template): trust policies, embedded service
//! accounts and bad input, each finding at the template's line.

use std::path::{Path, PathBuf};

use kubectl_irsa::config::Config;
use kubectl_irsa::diagnostics::finding::Finding;
use kubectl_irsa::lint::{lint, LintOptions};

fn data(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/cloudformation")
        .join(rel)
}

fn findings(rel: &str) -> Vec<Finding> {
    let opts = LintOptions {
        paths: vec![data(rel)],
        ..Default::default()
    };
    lint(&opts, &Config::default()).findings
}

/// (line, column) of the first occurrence of `needle`, searching from the `after` marker.
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

#[test]
fn sub_block_trust_is_paired_with_the_templates_service_account() {
    let f = findings("role-sub-bad.yaml");
    let at = where_is(
        "role-sub-bad.yaml",
        "AssumeRolePolicyDocument",
        "\"${OidcIssuer}:sub\"",
    );
    assert_eq!(summary(&f), [("IRSA016".to_string(), at.0, at.1)], "{f:#?}");
    assert!(
        f[0].message.contains("role `prod-app` (`AppRole`)"),
        "{}",
        f[0].message
    );
    assert!(f[0].message.contains("`orders/app`"), "{}", f[0].message);
    // The service account is the one in the AWSQS::Kubernetes::Resource manifest.
    let sa = where_is(
        "role-sub-bad.yaml",
        "Manifest:",
        "eks.amazonaws.com/role-arn",
    );
    assert_eq!((f[0].related[0].line, f[0].related[0].column), sa);
    let good = findings("role-sub-good.yaml");
    assert!(good.is_empty(), "{good:#?}");
}

#[test]
fn sub_list_form_of_a_json_string_lands_inside_the_string() {
    let f = findings("role-sub-json-bad.json");
    let at = where_is(
        "role-sub-json-bad.json",
        "Fn::Sub",
        "\\\"system:serviceaccount:*\\\"",
    );
    assert_eq!(summary(&f), [("IRSA004".to_string(), at.0, at.1)], "{f:#?}");
    let good = findings("role-sub-json-good.json");
    assert!(good.is_empty(), "{good:#?}");
}

/// The shape of `eksctl create iamserviceaccount` stacks (pkg/cfn/builder/iam_test.go): the
/// fallback trust with only `:aud` is the existing missing-sub rule.
#[test]
fn eksctl_fallback_trust_without_sub_is_missing_sub() {
    let f = findings("eksctl-iamserviceaccount-bad.json");
    let at = where_is(
        "eksctl-iamserviceaccount-bad.json",
        "Principal",
        "\"arn:aws:iam::",
    );
    assert_eq!(summary(&f), [("IRSA003".to_string(), at.0, at.1)], "{f:#?}");
    let good = findings("eksctl-iamserviceaccount-good.json");
    assert!(good.is_empty(), "{good:#?}");
}

/// CDK: the condition map lives in a `Custom::AWSCDKCfnJson` resource (its keys need tokens),
/// the manifest is a `Fn::Join`; what cannot be known (the account, the issuer) stays symbolic.
#[test]
fn cdk_out_template_reads_the_cfn_json_condition() {
    // The role ARN the manifest takes from `Fn::GetAtt` keeps its deploy-time account (IRSA053).
    let deploy_time = |f: &Finding| f.code == "IRSA053";
    let f: Vec<Finding> = findings("cdk.out")
        .into_iter()
        .filter(|f| !deploy_time(f))
        .collect();
    let (line, _) = where_is(
        "cdk.out/AppStack.template.json",
        "Custom::AWSCDKCfnJson",
        "\"Value\"",
    );
    let got = summary(&f);
    assert_eq!(got.len(), 1, "{f:#?}");
    assert_eq!((got[0].0.as_str(), got[0].1), ("IRSA002", line), "{f:#?}");
    let good = findings("cdk.out-good");
    assert!(good.iter().all(deploy_time), "{good:#?}");
}

#[test]
fn bad_input_gets_clear_findings_and_the_rest_is_read() {
    let rel = "bad-input.yaml";
    let f = findings(rel);
    let got = summary(&f);
    let cycle_a = where_is(rel, "RoleA:", "!Sub \"${RoleB}");
    let cycle_b = where_is(rel, "RoleB:", "!Sub \"${RoleA}");
    let policy = where_is(rel, "\"Condition\"", ": }");
    assert_eq!(
        got,
        [
            ("IRSA000".to_string(), cycle_a.0, cycle_a.1),
            ("IRSA019".to_string(), policy.0, policy.1),
            ("IRSA000".to_string(), cycle_b.0, cycle_b.1),
        ],
        "{f:#?}"
    );
    assert!(f[0].message.contains("cyclic"), "{}", f[0].message);
    // A tag that is no intrinsic (`!Owner`) is CloudFormation's `Fn::Owner`: symbolic, and no
    // finding, for it does not make the file broken.
    assert!(f.iter().all(|x| !x.message.contains("!Owner")), "{f:#?}");
}

#[test]
fn fn_if_takes_the_branch_its_condition_decides_and_no_value_drops_the_statement() {
    let rel = "role-if-bad.yaml";
    let f = findings(rel);
    let at = where_is(
        rel,
        "AssumeRolePolicyDocument",
        "\"oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE:sub\"",
    );
    assert_eq!(summary(&f), [("IRSA016".to_string(), at.0, at.1)]);
    // `IsProd` (Environment defaults to prod) picks the first branch only.
    assert!(
        f[0].message
            .contains("StringEquals `system:serviceaccount:payments:app`"),
        "{}",
        f[0].message
    );
    // The break-glass statement is `AWS::NoValue` in prod: no statement 1 to complain about.
    assert!(findings("role-if-good.yaml").is_empty());
}

#[test]
fn an_undecided_fn_if_checks_both_branches() {
    let f = findings("role-if-undecided-bad.yaml");
    assert_eq!(
        f.iter().map(|f| f.code.as_str()).collect::<Vec<_>>(),
        ["IRSA016"]
    );
    assert!(
        f[0].message.contains(
            "one of `system:serviceaccount:payments:app`, `system:serviceaccount:payments-staging:app`"
        ),
        "{}",
        f[0].message
    );
}

/// `${AWS::AccountId}`, `Fn::FindInMap`, `Fn::ImportValue` are values the deploy knows: no
/// IRSA026 on the account `${AWS`, no IRSA019 "must be a string"; the `Sid` beside one is still
/// checked.
#[test]
fn intrinsics_are_unknown_values_not_literals() {
    let rel = "intrinsic-values.yaml";
    let f = findings(rel);
    let sid = where_is(rel, "NodeRole", "not-alphanumeric");
    assert_eq!(
        summary(&f),
        vec![("IRSA026".to_string(), sid.0, sid.1)],
        "{f:#?}"
    );
}

/// A ServiceAccount written as a YAML mapping in a `Custom::KubeManifest` /
/// `AWSQS::Kubernetes::Resource` manifest, its role ARN a `Fn::Sub` of `${AWS::Partition}` and
/// `${AWS::AccountId}` that the template cannot resolve: the account stays symbolic (IRSA053,
/// not "account is not 12 digits"), and the role name still pairs it with the template's role.
#[test]
fn pseudo_parameters_in_a_mapping_manifest_stay_symbolic() {
    let rel = "manifest-map-pseudo-bad.yaml";
    let all = findings(rel);
    // Each role ARN with a deploy-time part is noted as such (IRSA053), never an error.
    let deploy_time: Vec<_> = all.iter().filter(|f| f.code == "IRSA053").collect();
    assert_eq!(deploy_time.len(), 2, "{all:#?}");
    let f: Vec<Finding> = all.into_iter().filter(|f| f.code != "IRSA053").collect();
    let sub = where_is(rel, "AssumeRolePolicyDocument", "\"${OidcIssuer}:sub\"");
    assert_eq!(
        summary(&f),
        vec![("IRSA016".to_string(), sub.0, sub.1)],
        "{f:#?}"
    );
    assert!(f[0].message.contains("`orders/app`"), "{}", f[0].message);
    let sa = where_is(rel, "AppServiceAccount", "eks.amazonaws.com/role-arn");
    assert_eq!((f[0].related[0].line, f[0].related[0].column), sa);
    let good = findings("manifest-map-pseudo-good.yaml");
    assert!(good.iter().all(|f| f.code == "IRSA053"), "{good:#?}");
}
