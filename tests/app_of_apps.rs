//! Argo CD app-of-apps (testdata/gitops/argo-app-of-apps*): the Applications a chart of the tree
//! renders are followed like those in files, recursively, with cycles and depth said in a note.

#[path = "support/lint_json.rs"]
mod lint_json;

use lint_json::{expect, lint};

#[test]
fn an_application_that_a_chart_renders_installs_its_chart_with_its_values() {
    // apps renders the `team` Application; team renders `web` into `backend`, with the role
    // ARN in its values: only through both renders does the SA carry the role there.
    let (code, findings) = lint(&["testdata/gitops/argo-app-of-apps/bad"]);
    expect(
        &findings,
        &[("IRSA016", "argo-app-of-apps/bad/iam/web.json", 12)],
    );
    assert_eq!(code, 1);
    let message = findings[0]["message"].as_str().unwrap();
    assert!(message.contains("`backend/web`"), "{message}");
    let (code, findings) = lint(&["testdata/gitops/argo-app-of-apps/good"]);
    expect(&findings, &[]);
    assert_eq!(code, 0);
}

#[test]
fn an_app_of_apps_cycle_is_a_note_at_the_application_and_ends() {
    let (code, findings) = lint(&["testdata/gitops/argo-app-of-apps-cycle"]);
    let notes: Vec<&str> = findings
        .iter()
        .filter(|f| f["code"] == "IRSA055")
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert_eq!(notes.len(), 2, "{findings:#?}");
    assert!(notes.iter().all(|m| m.starts_with("app-of-apps cycle")));
    assert!(findings.iter().all(|f| f["location"]["path"]
        .as_str()
        .unwrap()
        .starts_with("testdata/gitops/argo-app-of-apps-cycle/root/templates/apps.yaml")
        && f["location"]["line"].as_u64().is_some()));
    assert_eq!(code, 0);
}
