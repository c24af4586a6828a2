//! Patches over a base lint cannot fetch offline (testdata/gitops/remote-base-patch/): the
//! build fails, and a ServiceAccount patch is linted as the partial object the build would
//! produce, with the overlay's namespace and name prefix. "Matches no resource" is then not a
//! warning: IRSA054 says which base was not fetched.

#[path = "support/lint_json.rs"]
mod lint_json;

use lint_json::{lint, located};
use serde_json::Value;

const TREE: &str = "testdata/gitops/remote-base-patch";

fn codes(findings: &[Value], code: &str) -> Vec<(String, u64)> {
    located(findings)
        .into_iter()
        .filter(|(c, _, _)| c == code)
        .map(|(_, p, l)| (p.trim_start_matches(&format!("{TREE}/")).to_string(), l))
        .collect()
}

#[test]
fn service_account_patches_over_a_remote_base_are_linted() {
    let (code, findings) = lint(&[&format!("{TREE}/bad")]);
    // The strategic-merge patch is `monitoring/prod-collector` once built: the trust misses the prefix.
    let mismatch = findings.iter().find(|f| f["code"] == "IRSA016");
    let message = mismatch.and_then(|f| f["message"].as_str()).unwrap_or("");
    assert!(
        message.contains("`monitoring/prod-collector`"),
        "{findings:#?}"
    );
    // The JSON6902 patch gives a partial ServiceAccount whose ARN is checked at the patch.
    assert_eq!(
        codes(&findings, "IRSA001"),
        [("bad/overlay/kustomization.yaml".to_string(), 14)],
        "{findings:#?}"
    );
    assert!(codes(&findings, "IRSA051").is_empty(), "{findings:#?}");
    assert_eq!(code, 1);
}

#[test]
fn the_unfetched_bases_and_unplaced_patches_are_notes() {
    for tree in ["bad", "good"] {
        let (_, findings) = lint(&[&format!("{TREE}/{tree}")]);
        assert_eq!(
            codes(&findings, "IRSA054"),
            [
                (format!("{tree}/overlay/kustomization.yaml"), 7),
                (format!("{tree}/unplaced/agent.yaml"), 1),
                (format!("{tree}/unplaced/kustomization.yaml"), 3),
            ],
            "{findings:#?}"
        );
    }
}

#[test]
fn the_good_twin_is_clean() {
    let (code, findings) = lint(&[&format!("{TREE}/good")]);
    let loud: Vec<&Value> = findings
        .iter()
        .filter(|f| f["severity"] != "note")
        .collect();
    assert!(loud.is_empty(), "{loud:#?}");
    assert_eq!(code, 0);
    // A patch over the unfetched base is no kustomization error.
    assert!(findings.iter().all(|f| f["code"] != "IRSA051"));
}

const CHARTS: &str = "testdata/gitops/helm-charts-remote";

#[test]
fn helm_charts_not_in_the_tree_are_checked_with_their_chart_pack() {
    let (code, findings) = lint(&[&format!("{CHARTS}/bad")]);
    // valuesFile gives the role, valuesInline renames the account, `namespace:` moves it.
    let mismatch: Vec<&Value> = findings.iter().filter(|f| f["code"] == "IRSA016").collect();
    assert_eq!(mismatch.len(), 1, "{findings:#?}");
    let message = mismatch[0]["message"].as_str().unwrap_or("");
    assert!(message.contains("`dns/dns-controller`"), "{message}");
    assert_eq!(code, 1);
}

#[test]
fn helm_charts_twin_is_clean_and_an_unnamed_release_is_a_note() {
    let (code, findings) = lint(&[&format!("{CHARTS}/good")]);
    let loud: Vec<&Value> = findings
        .iter()
        .filter(|f| f["severity"] != "note")
        .collect();
    assert!(loud.is_empty(), "{loud:#?}");
    let unnamed: Vec<(String, String, u64)> = located(&findings)
        .into_iter()
        .filter(|(c, _, _)| c == "IRSA020")
        .collect();
    assert_eq!(
        unnamed,
        [(
            "IRSA020".to_string(),
            format!("{CHARTS}/good/kustomization.yaml"),
            16
        )]
    );
    assert_eq!(code, 0);
}

/// A base that is not in the tree (a pipeline writes it before the build): a patch that matches
/// nothing patches an object of it, so it is not a warning; the missing base is a note.
#[test]
fn a_patch_over_a_base_missing_from_the_tree_is_not_a_warning() {
    let (code, findings) = lint(&["testdata/gitops/missing-base-patch"]);
    let loud: Vec<&Value> = findings
        .iter()
        .filter(|f| f["severity"] != "note")
        .collect();
    assert!(loud.is_empty(), "{loud:#?}");
    assert_eq!(code, 0);
    let missing = located(&findings)
        .into_iter()
        .filter(|(c, p, _)| c == "IRSA051" && p.ends_with("overlays/staging/kustomization.yaml"))
        .map(|(_, _, line)| line)
        .collect::<Vec<_>>();
    assert_eq!(missing, [5], "{findings:#?}");
}
