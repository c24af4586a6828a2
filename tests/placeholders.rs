//! Values set at deploy time, in every format (testdata/placeholders/): a value wholly a
//! placeholder is one IRSA053 note and no error; a value partly one is checked on its known
//! parts, so its role still pairs with the trust in the tree (IRSA016); nothing is reported
//! twice (no IRSA001 next to KSA001).

#[path = "support/lint_json.rs"]
mod lint_json;

use lint_json::{lint, located};

/// `(code, path under testdata/placeholders/, line)` of each finding, sorted.
fn run(dir: &str) -> (i32, Vec<(String, String, u64)>) {
    let (code, findings) = lint(&[&format!("testdata/placeholders/{dir}")]);
    let mut got: Vec<_> = located(&findings)
        .into_iter()
        .map(|(c, p, l)| (c, p.replace("testdata/placeholders/", ""), l))
        .collect();
    got.sort();
    (code, got)
}

fn owned(want: &[(&str, &str, u64)]) -> Vec<(String, String, u64)> {
    let mut v: Vec<_> = want
        .iter()
        .map(|(c, p, l)| (c.to_string(), p.to_string(), *l))
        .collect();
    v.sort();
    v
}

#[test]
fn a_wholly_placeholder_role_arn_is_one_note_in_every_format() {
    for (dir, path, line) in [
        ("manifest/wholly", "manifest/wholly/serviceaccount.yaml", 8),
        (
            "values-pack/wholly",
            "values-pack/wholly/chart/values.yaml",
            5,
        ),
        (
            "helmrelease/wholly",
            "helmrelease/wholly/clusters/app.yaml",
            16,
        ),
        ("terraform/wholly", "terraform/wholly/main.tf", 6),
    ] {
        let (code, got) = run(dir);
        assert_eq!(got, owned(&[("IRSA053", path, line)]), "{dir}");
        assert_eq!(code, 0, "{dir}: a note does not fail the run");
    }
}

#[test]
fn a_partly_placeholder_role_arn_still_pairs_with_its_trust() {
    for (dir, sa, trust) in [
        (
            "manifest/partly",
            ("manifest/partly/serviceaccount.yaml", 8),
            ("manifest/partly/iam/app.json", 12),
        ),
        (
            "values-pack/partly",
            ("values-pack/partly/chart/values.yaml", 5),
            ("values-pack/partly/iam/app.json", 12),
        ),
        (
            "helmrelease/partly",
            ("helmrelease/partly/clusters/app.yaml", 16),
            ("helmrelease/partly/iam/app.json", 12),
        ),
        (
            "terraform/partly",
            ("terraform/partly/main.tf", 6),
            ("terraform/partly/main.tf", 20),
        ),
    ] {
        let (_, got) = run(dir);
        assert_eq!(
            got,
            owned(&[("IRSA053", sa.0, sa.1), ("IRSA016", trust.0, trust.1)]),
            "{dir}"
        );
    }
}

#[test]
fn a_trust_file_for_envsubst_is_checked_on_its_known_parts() {
    let (_, got) = run("trust-envsubst");
    assert_eq!(
        got,
        owned(&[
            ("IRSA053", "trust-envsubst/iam/app.json", 7),
            ("IRSA016", "trust-envsubst/iam/app.json", 12),
        ])
    );
}

#[test]
fn an_ack_role_pairs_with_a_cookiecutter_arn_and_backstage_values_are_notes() {
    let (_, got) = run("ack");
    assert_eq!(
        got,
        owned(&[
            ("IRSA053", "ack/role.yaml", 12),
            ("IRSA016", "ack/role.yaml", 15),
            ("IRSA053", "ack/serviceaccount.yaml", 7),
            ("IRSA053", "ack/serviceaccount.yaml", 15),
        ])
    );
}
