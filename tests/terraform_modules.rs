//! Registry modules and resources modeled from their public sources (issue 22 §2): each bad tree
//! holds a mismatch found only through the model, at the right line; each good twin is clean.

use std::path::{Path, PathBuf};

use kubectl_irsa::config::Config;
use kubectl_irsa::diagnostics::finding::{Finding, Severity};
use kubectl_irsa::lint::{lint, LintOptions};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/terraform")
        .join(name)
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
            format!("  {} :{line}: {}", f.code, f.message)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// (fixture, code, line in main.tf, text the message must contain)
const PAIRS: &[(&str, &str, usize, &str)] = &[
    (
        "eks-addon",
        "IRSA016",
        13,
        "`kube-system/ebs-csi-controller-sa`",
    ),
    (
        "eks-addon-module",
        "IRSA065",
        28,
        "association kube-system/ebs-csi-controller-sa",
    ),
    ("iam-role-v6", "IRSA016", 10, "`apps/api-server`"),
    (
        "iam-role-v6-pod-identity",
        "IRSA065",
        19,
        "association ingress/aws-load-balancer-controller",
    ),
    ("module-v3", "IRSA016", 9, "`velero/velero`"),
    (
        "karpenter-irsa",
        "IRSA016",
        3,
        "`system:serviceaccount:karpenter:karpenter`",
    ),
    (
        "karpenter-pod-identity",
        "IRSA067",
        14,
        "association kube-system/karpenter",
    ),
];

#[test]
fn each_bad_tree_has_its_finding_at_the_line_and_each_good_twin_is_clean() {
    let mut failures = Vec::new();
    for (name, code, line, text) in PAIRS {
        let bad = run(&fixture(name).join("bad"));
        let hit = bad.iter().any(|f| {
            f.code == *code
                && f.message.contains(text)
                && f.location
                    .as_ref()
                    .is_some_and(|l| l.path.ends_with("main.tf") && l.line == *line)
        });
        if !hit {
            failures.push(format!(
                "{name}/bad: no {code} at main.tf:{line}:\n{}",
                describe(&bad)
            ));
        }
        // v3 has no audience input: its IRSA005 note stays (true, and only a note).
        let good = run(&fixture(name).join("good"));
        let loud: Vec<_> = good
            .iter()
            .filter(|f| f.severity > Severity::Note)
            .cloned()
            .collect();
        if !loud.is_empty() || (good.len() > 0 && *name != "module-v3") {
            failures.push(format!("{name}/good is not clean:\n{}", describe(&good)));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
