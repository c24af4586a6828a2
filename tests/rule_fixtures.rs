//! Every built-in rule against its fixtures: `testdata/rules/<CODE>/bad.*` must raise the rule at
//! the expected line, `good.*` must not raise it at all.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use kubectl_irsa::config::Config;
use kubectl_irsa::diagnostics::finding::Finding;
use kubectl_irsa::lint::{lint, LintOptions};
use kubectl_irsa::rules::registry::builtin_rules;

/// Rules without fixtures: checked elsewhere (config errors need an `.irsa.yaml`).
// IRSA018 (rule packs) is covered by tests/packs.rs, IRSA020 (charts) by tests/helm_charts.rs,
// IRSA050-IRSA053 (kustomize units, templates) by tests/gitops.rs over testdata/gitops/, and
// IRSA053 (deploy-time placeholders) in every format by tests/placeholders.rs, IRSA058
// (operator accounts) by tests/operators.rs over testdata/operators/, IRSA057 (programs not
// read) by tests/pulumi.rs.
const NO_FIXTURES: &[&str] = &[
    "IRSA017", "IRSA018", "IRSA020", "IRSA050", "IRSA051", "IRSA052", "IRSA053", "IRSA054",
    "IRSA055", "IRSA056", "IRSA057", "IRSA058",
];

/// (code, line of `bad.*` where a finding of that code must be).
const EXPECTED: &[(&str, usize)] = &[
    ("IRSA000", 6),
    ("IRSA001", 7),
    ("IRSA002", 13),
    ("IRSA003", 7),
    ("IRSA004", 15),
    ("IRSA005", 12),
    ("IRSA006", 12),
    ("IRSA007", 12),
    ("IRSA008", 10),
    ("IRSA009", 11),
    ("IRSA010", 14),
    ("IRSA011", 3),
    ("IRSA012", 8),
    ("IRSA013", 28),
    ("IRSA014", 35),
    ("IRSA015", 6),
    ("IRSA016", 12),
    ("IRSA019", 11),
    ("IRSA021", 16),
    ("IRSA022", 11),
    ("IRSA023", 8),
    ("IRSA024", 7),
    ("IRSA025", 7),
    ("IRSA026", 10),
    ("IRSA027", 12),
    ("IRSA028", 12),
    ("IRSA029", 5),
    ("IRSA030", 2),
    ("IRSA060", 11),
    ("IRSA061", 8),
    ("IRSA062", 9),
    ("IRSA025", 7),
    ("IRSA026", 10),
    ("IRSA065", 15),
    ("IRSA066", 15),
    ("IRSA067", 17),
    ("IRSA068", 19),
    ("IRSA040", 19),
    ("IRSA041", 15),
];

fn fixture_dir(code: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/rules")
        .join(code)
}

/// The `bad.*` or `good.*` file of a rule.
fn fixture(code: &str, stem: &str) -> Option<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(fixture_dir(code))
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(&format!("{stem}.")))
        })
        .collect();
    found.sort();
    found.into_iter().next()
}

fn run(path: &Path) -> Vec<Finding> {
    let opts = LintOptions {
        paths: vec![path.to_path_buf()],
        ..Default::default()
    };
    lint(&opts, &Config::default()).findings
}

fn describe(findings: &[Finding]) -> String {
    findings
        .iter()
        .map(|f| {
            let line = f.location.as_ref().map_or(0, |l| l.line);
            format!("  {} line {line}: {}", f.code, f.message)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn bad_fixtures_raise_their_rule_at_the_expected_line() {
    for (code, line) in EXPECTED {
        let path = fixture(code, "bad").unwrap_or_else(|| panic!("{code}: no bad.* fixture"));
        let findings = run(&path);
        let hits: Vec<&Finding> = findings.iter().filter(|f| f.code == *code).collect();
        assert!(
            hits.iter()
                .any(|f| f.location.as_ref().is_some_and(|l| l.line == *line)),
            "{code}: expected a finding at {}:{line}, got:\n{}",
            path.display(),
            describe(&findings)
        );
        for f in hits {
            assert!(!f.message.is_empty(), "{code}: empty message");
        }
    }
}

#[test]
fn good_fixtures_are_clean_for_their_rule() {
    for (code, _) in EXPECTED {
        let path = fixture(code, "good").unwrap_or_else(|| panic!("{code}: no good.* fixture"));
        let findings = run(&path);
        assert!(
            findings.iter().all(|f| f.code != *code),
            "{code}: {} should be clean, got:\n{}",
            path.display(),
            describe(&findings)
        );
    }
}

#[test]
fn every_rule_is_documented_and_has_fixtures() {
    let mut codes = HashSet::new();
    let expected: HashSet<&str> = EXPECTED.iter().map(|(c, _)| *c).collect();
    for rule in builtin_rules() {
        let m = rule.meta();
        assert!(codes.insert(m.code), "duplicate rule code {}", m.code);
        assert!(!m.summary.is_empty(), "{}: empty summary", m.code);
        assert!(!m.name.is_empty(), "{}: empty name", m.code);
        for part in ["## What it checks", "## Why it matters", "## Example"] {
            assert!(m.doc.contains(part), "{}: doc lacks `{part}`", m.code);
        }
        if NO_FIXTURES.contains(&m.code) {
            continue;
        }
        assert!(
            fixture(m.code, "bad").is_some() && fixture(m.code, "good").is_some(),
            "{}: missing testdata/rules/{}/bad.* or good.*",
            m.code,
            m.code
        );
        assert!(
            expected.contains(m.code),
            "{}: add it to EXPECTED in tests/rule_fixtures.rs",
            m.code
        );
    }
}

/// A case of a rule: code, directory under `testdata/rules/<CODE>/cases/`, the `(file name, line)`
/// of each finding of the rule, and text each finding's message or help contains.
type Case = (
    &'static str,
    &'static str,
    &'static [(&'static str, usize)],
    &'static str,
);

/// More cases of a rule, each raising the rule exactly where listed.
const CASES: &[Case] = &[
    // IRSA028: what the trusted account uses, from each source; quiet where it cannot know.
    (
        "IRSA028",
        "none",
        &[("external-dns.trust.json", 12)],
        "uses no role",
    ),
    ("IRSA028", "outside", &[], ""),
    ("IRSA028", "pod-identity-uses", &[], ""),
    (
        "IRSA028",
        "pod-identity-other",
        &[("external-dns.trust.json", 12)],
        "uses role `dns-pod-identity`",
    ),
    ("IRSA028", "symbolic", &[], ""),
    ("IRSA028", "deploy-time-account", &[], ""),
    ("IRSA028", "other-role-trusts-too", &[], ""),
    (
        "IRSA028",
        "tf-helm-values",
        &[("main.tf", 12)],
        "uses role `old-dns`",
    ),
    ("IRSA028", "tf-helm-values-good", &[], ""),
    // IRSA062 on every service account, and on a Terraform `set`.
    (
        "IRSA062",
        "manifest",
        &[("serviceaccount.yaml", 7)],
        "eks.amazon.com/role-arn",
    ),
    ("IRSA062", "manifest-good", &[], ""),
    (
        "IRSA062",
        "tf-sa",
        &[("main.tf", 6)],
        "eks.amazonaws.com/rolearn",
    ),
    ("IRSA062", "tf-sa-good", &[], ""),
    (
        "IRSA062",
        "tf-set",
        &[("main.tf", 8)],
        "iam.amazonaws.com/role-arn",
    ),
    ("IRSA062", "tf-set-good", &[], ""),
    // IRSA061 for a service account name the chart does not read.
    (
        "IRSA061",
        "sa-name",
        &[("helmfile.yaml", 12)],
        "rbac.serviceAccount.name",
    ),
    ("IRSA061", "sa-name-good", &[], ""),
    // IRSA029 only within one Terraform root, and only for releases whose values are known.
    ("IRSA029", "two-roots", &[], ""),
    ("IRSA029", "create-unknown", &[], ""),
    (
        "IRSA029",
        "two-releases",
        &[("main.tf", 3), ("main.tf", 11)],
        "Helm refuses",
    ),
    // IRSA016 where the service account's role ARN is a Terraform reference, a module output,
    // a `format()` with an unknown account, an unknown variable in the ARN, a helm_release `set`.
    ("IRSA016", "tf-reference", &[("main.tf", 13)], "apps/app"),
    ("IRSA016", "tf-reference-good", &[], ""),
    (
        "IRSA016",
        "tf-module-output",
        &[("main.tf", 16)],
        "apps/app",
    ),
    ("IRSA016", "tf-module-output-good", &[], ""),
    ("IRSA016", "tf-format", &[("main.tf", 13)], "apps/app"),
    ("IRSA016", "tf-format-good", &[], ""),
    ("IRSA016", "tf-placeholder", &[("main.tf", 13)], "apps/app"),
    ("IRSA016", "tf-placeholder-good", &[], ""),
    (
        "IRSA016",
        "tf-helm-set-format",
        &[("main.tf", 13)],
        "apps/app",
    ),
    ("IRSA016", "tf-helm-set-format-good", &[], ""),
    ("IRSA024", "ci-role", &[], ""),
    ("IRSA024", "ecs-task-role", &[], ""),
    ("IRSA024", "bare-policy", &[], ""),
    ("IRSA024", "tag-conditioned", &[], ""),
    ("IRSA024", "star-only", &[], ""),
    ("IRSA024", "deny-only", &[], ""),
    ("IRSA024", "boundary", &[], ""),
    (
        "IRSA024",
        "one-per-statement",
        &[("volume-manager.json", 8)],
        "`ec2:AttachVolume` and 2 more",
    ),
    ("IRSA024", "alb-documented", &[], ""),
    (
        "IRSA024",
        "ack-inline",
        &[("role.yaml", 23), ("role.yaml", 38)],
        "of a pod's role",
    ),
    (
        "IRSA024",
        "broader-than-documented",
        &[("alb.json", 5)],
        "AWS Load Balancer Controller policy as documented",
    ),
];

#[test]
fn rule_cases_raise_exactly_their_findings() {
    for (code, case, expected, text) in CASES {
        let dir = fixture_dir(code).join("cases").join(case);
        let findings = run(&dir);
        let mut got: Vec<(String, usize)> = findings
            .iter()
            .filter(|f| f.code == *code)
            .filter_map(|f| f.location.as_ref())
            .map(|l| (l.path.rsplit('/').next().unwrap_or("").to_string(), l.line))
            .collect();
        got.sort();
        let want: Vec<(String, usize)> =
            expected.iter().map(|(f, l)| (f.to_string(), *l)).collect();
        assert_eq!(got, want, "{code} {case}:\n{}", describe(&findings));
        for f in findings.iter().filter(|f| f.code == *code) {
            let said = format!("{} {}", f.message, f.help.as_deref().unwrap_or(""));
            assert!(said.contains(text), "{code} {case}: `{text}` not in {said}");
        }
    }
}
