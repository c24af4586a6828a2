//! Lint run from inside a kustomize tree (testdata/gitops/kustomize-root/): `lint .`, a bare
//! `lint`, `lint ..` and `lint ../overlay` build the overlay with the real `kubectl kustomize`
//! (.tools/bin), so its `namespace:` reaches the service account and the role trusting the old
//! namespace is reported (IRSA016). The base lies outside most of these linted paths: only a real
//! build reaches it, never the static walk (which would leave an IRSA050 note instead).

#[path = "support/lint_json.rs"]
mod lint_json;

use lint_json::{lint_in, located, root, tools_path};
use serde_json::Value;

const TREE: &str = "testdata/gitops/kustomize-root";

/// `lint ARGS --format json --verbose` from `TREE/cwd`.
fn lint_from(cwd: &str, args: &[&str]) -> (i32, Vec<Value>) {
    lint_in(&root().join(TREE).join(cwd), &tools_path(), args)
}

/// The one finding is the trust mismatch the overlay's namespace makes, at `path:line`.
fn assert_built_mismatch(cwd: &str, args: &[&str], path: &str, line: u64) {
    let (code, findings) = lint_from(cwd, args);
    let got = located(&findings);
    assert!(
        got.iter().all(|(c, _, _)| c != "IRSA050"),
        "`lint {}` from {cwd} was not built: {findings:#?}",
        args.join(" ")
    );
    assert_eq!(
        got,
        vec![("IRSA016".to_string(), path.to_string(), line)],
        "`lint {}` from {cwd}: {findings:#?}",
        args.join(" ")
    );
    let message = findings[0]["message"].as_str().unwrap_or("");
    assert!(message.contains("`shop-prod/carts`"), "{message}");
    assert_eq!(code, 1, "`lint {}` from {cwd}", args.join(" "));
}

#[test]
fn lint_dot_at_a_kustomization_root_builds_it() {
    assert_built_mismatch("overlay", &["."], "iam/carts.json", 12);
    assert_built_mismatch("overlay", &["./"], "iam/carts.json", 12);
}

#[test]
fn a_bare_lint_at_a_kustomization_root_builds_it() {
    assert_built_mismatch("overlay", &[], "iam/carts.json", 12);
}

#[test]
fn lint_of_the_kustomization_file_itself_builds_its_directory() {
    // The role is not in this run, so no mismatch: only that the build ran (no IRSA050).
    let (code, findings) = lint_from("overlay", &["kustomization.yaml"]);
    assert!(located(&findings).iter().all(|(c, _, _)| c != "IRSA050"));
    assert_eq!(findings, Vec::<Value>::new());
    assert_eq!(code, 0);
}

#[test]
fn lint_dotdot_from_a_subdirectory_of_the_overlay_builds_it() {
    assert_built_mismatch("overlay/iam", &[".."], "../iam/carts.json", 12);
}

#[test]
fn lint_of_a_sibling_overlay_builds_it() {
    assert_built_mismatch("base", &["../overlay"], "../overlay/iam/carts.json", 12);
}

#[test]
fn lint_dotdot_over_the_whole_tree_reports_at_the_overlay_namespace_line() {
    assert_built_mismatch("base", &[".."], "../overlay/kustomization.yaml", 4);
}
