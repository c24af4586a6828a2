//! Flux Kustomizations (testdata/gitops/flux-*): what they apply to the objects of their path
//! before any rule runs (patches, name prefix, common annotations, `postBuild` variables on a
//! path without a kustomization), `spec.path` from another root, and bad input.

#[path = "support/lint_json.rs"]
mod lint_json;

use lint_json::{expect, lint, located, related_lines};
use serde_json::Value;

#[test]
fn flux_good_twins_lint_clean() {
    for dir in [
        "flux-patches",
        "flux-patches-json6902",
        "flux-name-prefix",
        "flux-substitute-plain",
    ] {
        let (code, findings) = lint(&[&format!("testdata/gitops/{dir}/good")]);
        assert_eq!(findings, Vec::<Value>::new(), "{dir}");
        assert_eq!(code, 0, "{dir}");
    }
}

/// The one IRSA016 of a bad twin, with the lines of its related locations.
fn mismatch(dir: &str, service_account: &str) -> Vec<(String, u64)> {
    let (code, findings) = lint(&[&format!("testdata/gitops/{dir}/bad")]);
    let mismatches: Vec<Value> = findings
        .iter()
        .filter(|f| f["code"] == "IRSA016")
        .cloned()
        .collect();
    expect(
        &mismatches,
        &[("IRSA016", &format!("{dir}/bad/iam/carts.json"), 12)],
    );
    assert_eq!(code, 1);
    let message = mismatches[0]["message"].as_str().unwrap();
    assert!(
        message.contains(&format!("`{service_account}`")),
        "{message}"
    );
    related_lines(&mismatches[0])
        .into_iter()
        .map(|(p, l)| (p.to_string(), l))
        .collect()
}

#[test]
fn a_strategic_merge_patch_of_the_flux_kustomization_gives_the_role() {
    let related = mismatch("flux-patches", "shop/carts");
    let patch = "testdata/gitops/flux-patches/bad/clusters/prod/carts.yaml";
    assert!(related.contains(&(patch.into(), 23)), "{related:?}");
}

#[test]
fn a_json6902_patch_with_a_target_applies_over_a_kustomize_unit() {
    let related = mismatch("flux-patches-json6902", "shop/carts");
    let patch = "testdata/gitops/flux-patches-json6902/bad/clusters/prod/carts.yaml";
    assert!(related.contains(&(patch.into(), 18)), "{related:?}");
}

#[test]
fn name_prefix_and_common_annotations_of_a_v1_kustomization_apply() {
    let related = mismatch("flux-name-prefix", "shop/prod-carts");
    let object = "testdata/gitops/flux-name-prefix/bad/clusters/prod/carts.yaml";
    assert!(related.contains(&(object.into(), 14)), "{related:?}");
    assert!(related.contains(&(object.into(), 17)), "{related:?}");
}

#[test]
fn post_build_variables_apply_to_a_path_without_a_kustomization() {
    mismatch("flux-substitute-plain", "shop-prod/carts");
}

#[test]
fn a_path_from_another_root_is_matched_by_its_tail_and_the_note_names_the_directory() {
    mismatch("flux-path-tail", "shop-prod/carts");
    let (code, findings) = lint(&["testdata/gitops/flux-path-tail/good"]);
    assert_eq!(code, 0);
    expect(
        &findings,
        &[("IRSA054", "flux-path-tail/good/clusters/prod/carts.yaml", 9)],
    );
    let message = findings[0]["message"].as_str().unwrap();
    assert!(
        message
            .contains("`apps/carts` to directory `testdata/gitops/flux-path-tail/good/apps/carts`"),
        "{message}"
    );
}

#[test]
fn bad_flux_input_is_a_finding_at_its_line_and_the_run_goes_on() {
    let (_, findings) = lint(&["testdata/gitops/flux-bad-input"]);
    let got = located(&findings);
    let has = |code: &str, path: &str, line: u64| {
        got.contains(&(
            code.into(),
            format!("testdata/gitops/flux-bad-input/{path}"),
            line,
        ))
    };
    // A patch that is not YAML, and one that is not an object: errors on their lines.
    assert!(
        has("IRSA000", "bad-patch/clusters/prod/carts.yaml", 17),
        "{got:#?}"
    );
    assert!(
        has("IRSA000", "bad-patch/clusters/prod/carts.yaml", 18),
        "{got:#?}"
    );
    // The rest of the tree is still linted.
    assert!(
        has("IRSA001", "bad-patch/apps/carts/serviceaccount.yaml", 7),
        "{got:#?}"
    );
    // A Kustomization that patches itself: a note at the patch.
    let itself = findings
        .iter()
        .find(|f| {
            f["message"]
                .as_str()
                .unwrap()
                .contains("`flux-system` patches itself")
        })
        .unwrap();
    assert_eq!(itself["severity"], "note");
    assert_eq!(itself["location"]["line"], 21);
    // A dependsOn cycle: once, at the entry that closes it.
    let cycles: Vec<&Value> = findings
        .iter()
        .filter(|f| f["message"].as_str().unwrap().contains("in a cycle"))
        .collect();
    assert_eq!(cycles.len(), 1, "{cycles:#?}");
    assert_eq!(cycles[0]["code"], "IRSA051");
}
