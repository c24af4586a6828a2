//! A chart's values files besides values.yaml (testdata/charts/values-overlays/): chart-testing's
//! `ci/*-values.yaml` rendered once each, `examples/*values*.yaml` rendered over the defaults of
//! a chart no pack describes, `values-prod.yaml` of a chart with a pack (external-dns) checked
//! with the pack, and a values file given by path read as values of its chart.

#[path = "support/lint_json.rs"]
mod lint_json;

use lint_json::{lint, located};

const TREE: &str = "testdata/charts/values-overlays";

fn at(tree: &str, rel: &str, line: u64) -> (String, String, u64) {
    ("IRSA001".into(), format!("{TREE}/{tree}/{rel}"), line)
}

#[test]
fn every_values_overlay_of_a_chart_is_checked_at_its_line() {
    let (code, findings) = lint(&[&format!("{TREE}/bad")]);
    assert_eq!(
        located(&findings),
        [
            at("bad", "external-dns/values-prod.yaml", 5),
            at("bad", "worker/ci/irsa-values.yaml", 4),
            at("bad", "worker/examples/queue-values.yaml", 4),
        ],
        "{findings:#?}"
    );
    assert_eq!(code, 1);
}

#[test]
fn a_values_file_given_by_path_is_read_as_values_of_its_chart() {
    for (rel, line) in [
        ("worker/examples/queue-values.yaml", 4),
        ("worker/ci/irsa-values.yaml", 4),
        ("external-dns/values-prod.yaml", 5),
    ] {
        let (code, findings) = lint(&[&format!("{TREE}/bad/{rel}")]);
        assert_eq!(located(&findings), [at("bad", rel, line)], "{findings:#?}");
        assert_eq!(code, 1);
    }
}

#[test]
fn the_good_twin_is_clean() {
    let (code, findings) = lint(&[&format!("{TREE}/good")]);
    assert_eq!(located(&findings), [], "{findings:#?}");
    assert_eq!(code, 0);
}

/// An umbrella chart whose external-dns dependency (alias `dns`) is not vendored: its `dns:`
/// values are checked with the external-dns chart pack.
#[test]
fn an_umbrella_checks_its_unvendored_dependency_with_the_chart_pack() {
    let umbrella = "testdata/charts/umbrella";
    let loud = |findings: &[serde_json::Value]| {
        let kept: Vec<serde_json::Value> = findings
            .iter()
            .filter(|f| f["severity"] != "note")
            .cloned()
            .collect();
        located(&kept)
    };
    let (code, findings) = lint(&[&format!("{umbrella}/bad")]);
    assert_eq!(
        loud(&findings),
        [(
            "IRSA001".to_string(),
            format!("{umbrella}/bad/platform/values.yaml"),
            8
        )],
        "{findings:#?}"
    );
    assert_eq!(code, 1);
    let (code, findings) = lint(&[&format!("{umbrella}/good")]);
    assert_eq!(loud(&findings), [], "{findings:#?}");
    assert_eq!(code, 0);
}
