//! Kustomize units and GitOps inputs (testdata/gitops/), built by a real `kubectl kustomize`
//! (installed by scripts/install-test-tools.sh into .tools/bin): findings at the line that
//! decided the value, good twins clean, the static fallback without any binary, bad input.

#[path = "support/lint_json.rs"]
mod lint_json;

use std::process::Command;

use lint_json::{expect, lint, lint_with_path, located, related_lines, root, tools_path};
use serde_json::Value;

#[test]
fn an_overlay_moving_the_namespace_is_reported_at_its_namespace_line() {
    let (code, findings) = lint(&["testdata/gitops/overlay-namespace/bad"]);
    expect(
        &findings,
        &[(
            "IRSA016",
            "overlay-namespace/bad/overlays/prod/kustomization.yaml",
            4,
        )],
    );
    assert_eq!(code, 1);
    let f = &findings[0];
    assert!(f["message"].as_str().unwrap().contains("`shop-prod/carts`"));
    let related = related_lines(f);
    assert_eq!(
        related,
        [
            ("testdata/gitops/overlay-namespace/bad/iam/carts.json", 12),
            (
                "testdata/gitops/overlay-namespace/bad/base/serviceaccount.yaml",
                7
            )
        ]
    );
}

#[test]
fn good_twins_lint_clean() {
    for dir in [
        "overlay-namespace",
        "shared-base",
        "name-prefix",
        "patch-annotation",
        "flux-substitute",
        "flux-release",
        "flux-release-patched",
        "flux-values-from",
        "flux-target-namespace",
        "helm-charts",
    ] {
        let (code, findings) = lint(&[&format!("testdata/gitops/{dir}/good")]);
        assert_eq!(findings, Vec::<Value>::new(), "{dir}");
        assert_eq!(code, 0, "{dir}");
    }
}

#[test]
fn a_base_finding_is_reported_once_naming_every_overlay() {
    let (_, findings) = lint(&["testdata/gitops/shared-base/bad"]);
    expect(
        &findings,
        &[("IRSA001", "shared-base/bad/base/serviceaccount.yaml", 7)],
    );
    let message = findings[0]["message"].as_str().unwrap();
    assert!(
        message.contains("overlays/dev`, `") && message.contains("overlays/prod`"),
        "{message}"
    );
}

#[test]
fn name_prefix_and_patch_lines_are_where_the_value_was_decided() {
    let (_, findings) = lint(&["testdata/gitops/name-prefix/bad"]);
    expect(
        &findings,
        &[("IRSA016", "name-prefix/bad/iam/carts.json", 12)],
    );
    let prefix = &findings[0]["related"][1];
    assert_eq!(
        (
            prefix["path"].as_str().unwrap(),
            prefix["line"].as_u64().unwrap()
        ),
        (
            "testdata/gitops/name-prefix/bad/overlays/prod/kustomization.yaml",
            4
        )
    );
    let (_, findings) = lint(&["testdata/gitops/patch-annotation/bad"]);
    expect(
        &findings,
        &[(
            "IRSA001",
            "patch-annotation/bad/overlays/prod/role-patch.yaml",
            7,
        )],
    );
}

#[test]
fn without_any_kustomize_the_chain_is_walked_statically_with_one_warning() {
    let empty = tempfile::tempdir().unwrap();
    let (_, findings) = lint_with_path(
        empty.path().to_str().unwrap(),
        &["testdata/gitops/overlay-namespace/bad"],
    );
    expect(
        &findings,
        &[
            (
                "IRSA050",
                "overlay-namespace/bad/overlays/prod/kustomization.yaml",
                1,
            ),
            (
                "IRSA016",
                "overlay-namespace/bad/overlays/prod/kustomization.yaml",
                4,
            ),
        ],
    );
    assert!(findings[0]["message"]
        .as_str()
        .unwrap()
        .contains("--kustomize PATH"));
}

#[test]
fn a_hanging_build_times_out_and_the_run_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let hang = dir.path().join("kustomize");
    std::fs::write(&hang, "#!/bin/sh\nsleep 30\n").unwrap();
    let mut perms = std::fs::metadata(&hang).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
    std::fs::set_permissions(&hang, perms).unwrap();
    let started = std::time::Instant::now();
    let (_, findings) = lint(&[
        "testdata/gitops/overlay-namespace/bad",
        "--kustomize",
        hang.to_str().unwrap(),
        "--render-timeout",
        "1",
    ]);
    assert!(started.elapsed().as_secs() < 20);
    let codes: Vec<String> = located(&findings).into_iter().map(|f| f.0).collect();
    assert_eq!(codes, ["IRSA050", "IRSA016"], "{findings:#?}");
    assert!(findings[0]["message"]
        .as_str()
        .unwrap()
        .contains("did not finish within 1s"));
}

#[test]
fn bad_kustomizations_each_get_a_finding_and_the_run_goes_on() {
    let (_, findings) = lint(&["testdata/gitops/bad-input"]);
    let got = located(&findings);
    let has = |code: &str, path: &str, line: u64| {
        got.contains(&(
            code.into(),
            format!("testdata/gitops/bad-input/{path}"),
            line,
        ))
    };
    assert!(has("IRSA051", "cycle/b/kustomization.yaml", 4), "{got:#?}");
    assert!(
        has("IRSA051", "missing-file/kustomization.yaml", 5),
        "{got:#?}"
    );
    assert!(
        has("IRSA051", "missing-target/kustomization.yaml", 6),
        "{got:#?}"
    );
    for unit in ["cycle/a", "missing-file", "missing-target", "remote"] {
        assert!(
            has("IRSA050", &format!("{unit}/kustomization.yaml"), 1),
            "{unit}: {got:#?}"
        );
    }
    let remote = findings
        .iter()
        .find(|f| f["location"]["path"].as_str().unwrap().contains("remote/"))
        .unwrap();
    assert!(remote["message"]
        .as_str()
        .unwrap()
        .contains("remote base `https://github.com/acme/platform//base?ref=v1.2.0`"));
}

#[test]
fn flux_substitutions_are_applied_and_unknown_role_arns_are_deploy_time_notes() {
    let (_, findings) = lint(&["testdata/gitops/flux-substitute/bad"]);
    expect(
        &findings,
        &[("IRSA016", "flux-substitute/bad/iam/carts.json", 12)],
    );
    assert!(findings[0]["message"]
        .as_str()
        .unwrap()
        .contains("`shop-prod/carts`"));
    let (code, findings) = lint(&["testdata/gitops/flux-substitute/unset"]);
    expect(
        &findings,
        &[(
            "IRSA053",
            "flux-substitute/unset/apps/carts/serviceaccount.yaml",
            7,
        )],
    );
    assert_eq!(code, 0, "a note does not fail the run");
}

#[test]
fn template_files_are_noted_once_and_broken_manifests_still_fail() {
    let (code, findings) = lint(&["testdata/gitops/templates/notes"]);
    expect(
        &findings,
        &[
            ("IRSA052", "templates/notes/ansible.yaml", 5),
            ("IRSA052", "templates/notes/envsubst.yaml", 6),
            ("IRSA052", "templates/notes/helm-outside-chart.yaml", 5),
            ("IRSA052", "templates/notes/serviceaccount.yaml.j2", 4),
            ("IRSA052", "templates/notes/serviceaccount.yaml.tpl", 4),
        ],
    );
    assert_eq!(code, 0);
    // The ApplicationSet's `{{path}}` is Argo CD's, not an error; with no `apps/*` in the tree
    // there is nothing to expand, which is said as a note.
    let (code, findings) = lint(&["testdata/gitops/templates/applied"]);
    expect(
        &findings,
        &[
            ("IRSA055", "templates/applied/appset.yaml", 8),
            ("IRSA000", "templates/applied/broken.yaml", 6),
        ],
    );
    assert_eq!(findings[0]["severity"], "note");
    assert_eq!(code, 1);
}

#[test]
fn a_standalone_kustomize_builds_the_same_units() {
    let Some(kustomize) = std::env::var_os("PATH").and_then(|p| {
        std::env::split_paths(&p)
            .map(|d| d.join("kustomize"))
            .find(|c| c.is_file())
    }) else {
        eprintln!("skipped: no standalone `kustomize` binary on PATH (kubectl's built-in kustomize is tested instead)");
        return;
    };
    let (_, findings) = lint(&[
        "testdata/gitops/overlay-namespace/bad",
        "--kustomize",
        kustomize.to_str().unwrap(),
    ]);
    expect(
        &findings,
        &[(
            "IRSA016",
            "overlay-namespace/bad/overlays/prod/kustomization.yaml",
            4,
        )],
    );
}

#[test]
fn sarif_shows_the_overlay_line() {
    let out = Command::new(env!("CARGO_BIN_EXE_kubectl-irsa"))
        .current_dir(root())
        .args([
            "lint",
            "testdata/gitops/overlay-namespace/bad",
            "--format",
            "sarif",
        ])
        .env("PATH", tools_path())
        .output()
        .unwrap();
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    let loc = &sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"];
    assert!(loc["artifactLocation"]["uri"]
        .as_str()
        .unwrap()
        .ends_with("overlays/prod/kustomization.yaml"));
    assert_eq!(loc["region"]["startLine"], 4);
}

#[test]
fn a_flux_release_without_release_name_is_named_target_namespace_dash_name() {
    let (code, findings) = lint(&["testdata/gitops/flux-release/bad"]);
    expect(
        &findings,
        &[("IRSA016", "flux-release/bad/iam/carts.json", 12)],
    );
    assert_eq!(code, 1);
    assert!(findings[0]["message"]
        .as_str()
        .unwrap()
        .contains("`shop/shop-carts`"));
    let related = related_lines(&findings[0]);
    // The values key in the HelmRelease, its name and its targetNamespace.
    for (path, line) in [
        (
            "testdata/gitops/flux-release/bad/clusters/prod/carts.yaml",
            16,
        ),
        (
            "testdata/gitops/flux-release/bad/clusters/prod/carts.yaml",
            4,
        ),
        (
            "testdata/gitops/flux-release/bad/clusters/prod/carts.yaml",
            8,
        ),
    ] {
        assert!(related.contains(&(path, line)), "{related:?}");
    }
}

#[test]
fn a_flux_release_an_overlay_patches_is_read_as_built() {
    let (code, findings) = lint(&["testdata/gitops/flux-release-patched/bad"]);
    expect(
        &findings,
        &[("IRSA016", "flux-release-patched/bad/iam/carts.json", 12)],
    );
    assert_eq!(code, 1);
    assert!(findings[0]["message"]
        .as_str()
        .unwrap()
        .contains("`shop-prod/carts`"));
    // The overlay's patch that moved it, and the release in the base.
    let related = related_lines(&findings[0]);
    let dir = "testdata/gitops/flux-release-patched/bad/apps";
    for (file, line) in [("prod/carts-patch.yaml", 8), ("base/carts/release.yaml", 9)] {
        let path = format!("{dir}/{file}");
        assert!(
            related.iter().any(|(p, l)| *p == path && *l == line),
            "{path}:{line} in {related:?}"
        );
    }
}

#[test]
fn flux_values_from_config_maps_and_secrets_apply_in_order_and_trace_to_their_line() {
    let (code, findings) = lint(&["testdata/gitops/flux-values-from/bad"]);
    // The account carries role `orders` (which does not trust it), while role `carts` trusts it:
    // both sides of one mistake, each with its own fix.
    expect(
        &findings,
        &[
            ("IRSA028", "flux-values-from/bad/iam/carts.json", 12),
            ("IRSA016", "flux-values-from/bad/iam/orders.json", 12),
        ],
    );
    assert_eq!(code, 1);
    // The Secret's `targetPath: roleArn` value overrides the ConfigMap's `values.yaml`.
    let related = related_lines(&findings[1]);
    assert!(
        related.contains(&(
            "testdata/gitops/flux-values-from/bad/clusters/prod/carts-values.yaml",
            16
        )),
        "{related:?}"
    );
}

#[test]
fn a_flux_kustomization_target_namespace_moves_every_object_it_applies() {
    let (code, findings) = lint(&["testdata/gitops/flux-target-namespace/bad"]);
    expect(
        &findings,
        &[("IRSA016", "flux-target-namespace/bad/iam/carts.json", 12)],
    );
    assert_eq!(code, 1);
    assert!(findings[0]["message"]
        .as_str()
        .unwrap()
        .contains("`shop-prod/carts`"));
    let related = related_lines(&findings[0]);
    assert!(
        related.contains(&(
            "testdata/gitops/flux-target-namespace/bad/clusters/prod/apps.yaml",
            12
        )),
        "{related:?}"
    );
}

#[test]
fn helm_charts_are_inflated_through_the_build_and_not_linted_again_alone() {
    let (code, findings) = lint(&["testdata/gitops/helm-charts/bad"]);
    // One finding, from the build with the kustomization's `valuesInline`; the chart on its own
    // (an empty `roleArn` by default) is not linted.
    expect(
        &findings,
        &[("IRSA016", "helm-charts/bad/iam/carts.json", 12)],
    );
    assert!(findings[0]["message"]
        .as_str()
        .unwrap()
        .contains("`shop/carts`"));
    assert_eq!(code, 1);
}
