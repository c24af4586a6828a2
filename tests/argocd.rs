//! Argo CD Applications and ApplicationSets (testdata/gitops/argo-*): Helm sources lowered into
//! releases (inline values, `valueFiles` through a `$values` ref, parameters), ApplicationSet
//! git-directory expansion, findings at the line that decided the value, and good twins clean.

#[path = "support/lint_json.rs"]
mod lint_json;

use lint_json::{expect, lint, located};
use serde_json::Value;

/// `(path, line, message)` of a finding's related locations.
fn related(f: &Value) -> Vec<(String, u64, String)> {
    f["related"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["path"].as_str().unwrap().to_string(),
                r["line"].as_u64().unwrap(),
                r["message"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn has_related(f: &Value, path: &str, line: u64, says: &str) {
    let all = related(f);
    assert!(
        all.iter()
            .any(|(p, l, m)| p == &format!("testdata/gitops/{path}")
                && *l == line
                && m.contains(says)),
        "no related {path}:{line} saying {says:?} in {all:#?}"
    );
}

#[test]
fn an_application_in_the_wrong_namespace_points_at_its_destination_and_values() {
    let (code, findings) = lint(&["testdata/gitops/argo-app/bad"]);
    expect(
        &findings,
        &[("IRSA016", "argo-app/bad/iam/external-dns.json", 12)],
    );
    assert_eq!(code, 1);
    let f = &findings[0];
    assert!(f["message"]
        .as_str()
        .unwrap()
        .contains("`kube-system/external-dns`"));
    let app = "argo-app/bad/apps/external-dns.yaml";
    // The role ARN inside the `helm.values` string, the Application, its destination namespace.
    has_related(f, app, 20, "carries role `external-dns`");
    has_related(f, app, 6, "argocd release `external-dns`");
    has_related(f, app, 23, "namespace `kube-system`");
}

#[test]
fn an_application_an_overlay_patches_is_read_as_built() {
    // The overlay's patch replaces the whole values string and drops the SA name with it.
    let (code, findings) = lint(&["testdata/gitops/argo-app-patched/bad"]);
    expect(
        &findings,
        &[("IRSA016", "argo-app-patched/bad/iam/external-dns.json", 12)],
    );
    assert_eq!(code, 1);
    let f = &findings[0];
    assert!(f["message"]
        .as_str()
        .unwrap()
        .contains("`external-dns/external-dns`"));
    // The annotation's line in the patch, the Application and its namespace in the base.
    let patch = "argo-app-patched/bad/overlays/prod/values-patch.yaml";
    has_related(f, patch, 17, "carries role `external-dns`");
    let base = "argo-app-patched/bad/base/application.yaml";
    has_related(f, base, 6, "argocd release `external-dns`");
    has_related(f, base, 24, "namespace `external-dns`");
}

#[test]
fn a_kustomize_name_prefix_renames_the_service_account_and_says_where() {
    let (code, findings) = lint(&["testdata/gitops/argo-kustomize-prefix/bad"]);
    // The Deployment's reference follows the rename: its static keys sit beside the role.
    expect(
        &findings,
        &[
            (
                "IRSA013",
                "argo-kustomize-prefix/bad/base/deployment.yaml",
                22,
            ),
            (
                "IRSA016",
                "argo-kustomize-prefix/bad/iam/payments-api.json",
                12,
            ),
        ],
    );
    assert_eq!(code, 1);
    let f = findings.iter().find(|f| f["code"] == "IRSA016").unwrap();
    assert!(f["message"]
        .as_str()
        .unwrap()
        .contains("`system:serviceaccount:payments:prod-payments-api`"));
    let app = "argo-kustomize-prefix/bad/argocd/payments.yaml";
    has_related(f, app, 15, "adds the name prefix `prod-`");
}

#[test]
fn an_application_set_expands_its_git_directories_into_one_release_each() {
    let (code, findings) = lint(&["testdata/gitops/argo-appset/bad"]);
    expect(
        &findings,
        &[("IRSA016", "argo-appset/bad/iam/orders.json", 12)],
    );
    assert_eq!(code, 1);
    let f = &findings[0];
    assert!(f["message"].as_str().unwrap().contains("`orders/orders`"));
    // The template line, with the parameter that decided it.
    has_related(
        f,
        "argo-appset/bad/argocd/apps.yaml",
        28,
        "ApplicationSet `shop`, the git directory `apps/orders`: `{{path.basename}}` = `orders`",
    );
    has_related(f, "argo-appset/bad/apps/orders/values.yaml", 1, "`roleArn`");
}

#[test]
fn value_files_through_a_values_ref_and_parameters_are_applied() {
    let (code, findings) = lint(&["testdata/gitops/argo-multi/bad"]);
    expect(
        &findings,
        &[("IRSA016", "argo-multi/bad/iam/cluster-autoscaler.json", 12)],
    );
    assert_eq!(code, 1);
    let f = &findings[0];
    // The name comes from `$values/envs/prod/…`, the role ARN from a parameter.
    assert!(f["message"]
        .as_str()
        .unwrap()
        .contains("`kube-system/autoscaler`"));
    has_related(
        f,
        "argo-multi/bad/argocd/cluster-autoscaler.yaml",
        19,
        "carries role `cluster-autoscaler`",
    );
}

#[test]
fn argo_good_twins_lint_clean() {
    for dir in [
        "argo-app",
        "argo-app-patched",
        "argo-appset",
        "argo-multi",
        "argo-kustomize",
        "argo-kustomize-prefix",
    ] {
        let (code, findings) = lint(&[&format!("testdata/gitops/{dir}/good")]);
        assert_eq!(findings, Vec::<Value>::new(), "{dir}");
        assert_eq!(code, 0, "{dir}");
    }
}

#[test]
fn values_that_are_not_yaml_are_one_finding_at_their_line_and_the_run_goes_on() {
    let (code, findings) = lint(&[
        "testdata/gitops/bad-input/argo-values",
        "testdata/gitops/bad-input/helmrelease-values",
        "testdata/gitops/argo-app/bad",
    ]);
    let got = located(&findings);
    let argo = "testdata/gitops/bad-input/argo-values/application.yaml";
    let flux = "testdata/gitops/bad-input/helmrelease-values/release.yaml";
    assert!(
        got.contains(&("IRSA000".into(), argo.into(), 15)),
        "{got:#?}"
    );
    assert!(
        got.contains(&("IRSA000".into(), flux.into(), 15)),
        "{got:#?}"
    );
    let argo_finding = findings
        .iter()
        .find(|f| f["location"]["path"] == argo)
        .unwrap();
    assert!(argo_finding["message"]
        .as_str()
        .unwrap()
        .contains("`helm.values` is not valid YAML"));
    // The other inputs are still linted.
    assert!(got
        .iter()
        .any(|(c, p, _)| c == "IRSA016" && p.contains("argo-app/bad")));
    assert_eq!(code, 1);
}

#[test]
fn a_kustomize_source_lands_in_the_destination_namespace() {
    let (code, findings) = lint(&["testdata/gitops/argo-kustomize/bad"]);
    expect(
        &findings,
        &[("IRSA016", "argo-kustomize/bad/iam/payments-api.json", 12)],
    );
    assert_eq!(code, 1);
    let f = &findings[0];
    assert!(f["message"]
        .as_str()
        .unwrap()
        .contains("`payments-prod/payments-api`"));
    has_related(
        f,
        "argo-kustomize/bad/argocd/payments.yaml",
        16,
        "puts the objects that name no namespace in namespace `payments-prod`",
    );
    has_related(
        f,
        "argo-kustomize/bad/base/serviceaccount.yaml",
        6,
        "carries role",
    );
}

#[test]
fn a_finding_in_inline_values_read_through_a_kustomization_is_at_its_line() {
    // The Application is listed by a kustomization, so it is read from the build: the finding
    // on the role ARN inside `helm.values` points at that line, not at `values: |`.
    let (code, findings) = lint(&["testdata/gitops/argo-kustomize-values/bad"]);
    expect(
        &findings,
        &[(
            "IRSA001",
            "argo-kustomize-values/bad/apps/external-dns.yaml",
            20,
        )],
    );
    assert_eq!(code, 1);
    let (code, findings) = lint(&["testdata/gitops/argo-kustomize-values/good"]);
    expect(&findings, &[]);
    assert_eq!(code, 0);
}
