//! Flux HelmReleases of a chart published through a HelmRepository or an OCIRepository whose
//! source is in the linted tree (testdata/gitops/flux-{helmrepo,ocirepo}-in-tree): the tree's
//! chart of that name and version is rendered with the release's values, and a note says so.

#[path = "support/lint_json.rs"]
mod lint_json;

use lint_json::{expect, lint};
use serde_json::Value;

/// The findings of `testdata/gitops/DIR`, with the exit code.
fn findings(dir: &str) -> (i32, Vec<Value>) {
    lint(&[&format!("testdata/gitops/{dir}")])
}

/// The message of each finding with that code.
fn messages<'a>(findings: &'a [Value], code: &str) -> Vec<&'a str> {
    findings
        .iter()
        .filter(|f| f["code"] == code)
        .map(|f| f["message"].as_str().unwrap_or(""))
        .collect()
}

#[test]
fn a_helm_repository_chart_of_the_tree_is_rendered_with_the_release_values() {
    let dir = "flux-helmrepo-in-tree";
    let (code, bad) = findings(&format!("{dir}/bad"));
    expect(
        &bad,
        &[
            (
                "IRSA054",
                &format!("{dir}/bad/clusters/prod/carts.yaml"),
                21,
            ),
            ("IRSA016", &format!("{dir}/bad/iam/carts.json"), 12),
        ],
    );
    assert_eq!(code, 1);
    assert!(messages(&bad, "IRSA016")[0].contains("`shop/shop-carts`"));
    let note = messages(&bad, "IRSA054")[0];
    assert!(
        note.contains("chart `carts` version `>=0.1.0 <1.0.0` of HelmRepository `shop-charts` rendered from `testdata/gitops/flux-helmrepo-in-tree/bad/charts/carts/` in the tree"),
        "{note}"
    );
    let (code, good) = findings(&format!("{dir}/good"));
    expect(
        &good,
        &[(
            "IRSA054",
            &format!("{dir}/good/clusters/prod/carts.yaml"),
            22,
        )],
    );
    assert_eq!(code, 0);
}

#[test]
fn a_chart_ref_to_an_oci_repository_of_a_tree_chart_is_rendered_from_the_tree() {
    let dir = "flux-ocirepo-in-tree";
    let (code, bad) = findings(&format!("{dir}/bad"));
    expect(
        &bad,
        &[
            (
                "IRSA054",
                &format!("{dir}/bad/clusters/prod/carts.yaml"),
                25,
            ),
            ("IRSA016", &format!("{dir}/bad/iam/carts.json"), 12),
        ],
    );
    assert_eq!(code, 1);
    let note = messages(&bad, "IRSA054")[0];
    assert!(
        note.contains("chart `carts` version `0.1.0` of OCIRepository `carts-chart` rendered from"),
        "{note}"
    );
    let (code, good) = findings(&format!("{dir}/good"));
    expect(
        &good,
        &[(
            "IRSA054",
            &format!("{dir}/good/clusters/prod/carts.yaml"),
            26,
        )],
    );
    assert_eq!(code, 0);
}

#[test]
fn several_matching_charts_render_none_and_a_version_no_tree_chart_has_renders_none() {
    let dir = "testdata/gitops/flux-helmrepo-in-tree/several";
    let (_, all) = findings("flux-helmrepo-in-tree/several");
    let notes = messages(&all, "IRSA054");
    assert_eq!(notes.len(), 2, "{notes:#?}");
    assert!(
        notes[0].contains(&format!(
            "several charts in the tree match (`{dir}/charts/carts/` 0.1.0, `{dir}/legacy/carts/` 0.2.0); none is rendered"
        )),
        "{}",
        notes[0]
    );
    assert!(
        notes[1].contains(&format!(
            "version `0.2.0` of HelmRepository `shop-charts` rendered from `{dir}/legacy/carts/`"
        )),
        "{}",
        notes[1]
    );
    // The unpinned release (line 13) and the `1.x` one (line 48) stay remote charts.
    let not_rendered: Vec<u64> = all
        .iter()
        .filter(|f| {
            f["code"] == "IRSA020" && f["message"].as_str().unwrap_or("").contains("of release")
        })
        .map(|f| f["location"]["line"].as_u64().unwrap_or(0))
        .collect();
    assert_eq!(not_rendered, [13, 48]);
}
