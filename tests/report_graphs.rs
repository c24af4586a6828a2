//! `--format markdown` and `--format dot` (issue 24): the Markdown read back by the CommonMark
//! reference parser and its Mermaid graph by Mermaid's own parser (node, `.tools/node`), the dot
//! rendered to SVG by the real Graphviz `dot`. Names with quotes, brackets, newlines, Unicode and
//! 253 characters (testdata/report_names) must come out as themselves. Tools:
//! scripts/install-test-tools.sh.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use support::report_tools::{check_markdown, diagram, labels, render_svg, svg_texts};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `lint . --format FORMAT` run inside `dir`: (exit code, stdout).
fn lint(dir: &Path, format: &str) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_kubectl-irsa"))
        .current_dir(dir)
        .args(["lint", ".", "--format", format, "--no-render"])
        .env("NO_COLOR", "1")
        .output()
        .expect("run kubectl-irsa");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).expect("utf-8 output"),
    )
}

const LONG_SA: usize = 253;

fn long_sa() -> String {
    format!("{}-{}", "a".repeat(200), "b".repeat(52))
}

#[test]
fn markdown_with_hostile_names_parses_and_shows_every_name_as_itself() {
    let (code, md) = lint(&root().join("testdata/report_names"), "markdown");
    assert_eq!(code, 1, "{md}");
    assert_eq!(long_sa().len(), LONG_SA);
    let checked = check_markdown(&md);
    // The only raw HTML is the <details> fold: no name became markup.
    let html: Vec<&str> = checked["html"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h.as_str().unwrap())
        .collect();
    assert_eq!(html.len(), 2, "{html:?}");
    assert!(html[0].starts_with("<details>\n<summary>Coverage"));
    assert_eq!(html[1], "</details>");
    // Errors and warnings are list items; their messages read back literally.
    assert_eq!(checked["items"], 2);
    let text = checked["text"].as_str().unwrap();
    assert!(
        text.contains("quote\"and[brackets]{x}(y)<b>&amp;#;`|*_\\"),
        "{text}"
    );
    assert!(text.contains("`apps/ünïcødé-サービス-😀`"), "{text}");
    let d = diagram(&checked);
    let labels = labels(d);
    assert!(
        labels.contains(&"ns with newline/quote\"and[brackets]{x}(y)<b>&amp;#;`|*_\\".to_string()),
        "{labels:?}"
    );
    assert!(
        labels.contains(&"apps/ünïcødé-サービス-😀".to_string()),
        "{labels:?}"
    );
    let long = format!("apps/{}…", &long_sa()[..74]);
    assert!(labels.contains(&long), "{labels:?}");
    // Three SAs, three roles, one provider; the broken links are red and carry their codes.
    assert_eq!(labels.len(), 7, "{labels:?}");
    let edges = d["edges"].as_array().unwrap();
    let red: Vec<&str> = edges
        .iter()
        .filter(|e| e["style"].to_string().contains("stroke:#d73a49"))
        .map(|e| e["text"].as_str().unwrap())
        .collect();
    assert_eq!(red, ["IRSA016", "IRSA002"], "{edges:#?}");
}

#[test]
fn dot_with_hostile_names_renders_one_node_per_service_account_and_role() {
    let (_, dot) = lint(&root().join("testdata/report_names"), "dot");
    let svg = render_svg(&dot);
    let count = |class: &str| svg.matches(&format!("class=\"node {class}\"")).count();
    assert_eq!(count("serviceaccount"), 3, "{svg}");
    assert_eq!(count("role"), 3, "{svg}");
    assert_eq!(count("provider"), 1, "{svg}");
    // The names appear whole in the SVG's text, as themselves.
    let texts = svg_texts(&svg);
    assert!(
        texts.contains(&"apps/ünïcødé-サービス-😀".to_string()),
        "{texts:?}"
    );
    let quoted = "ns with newline/quote\"and[brackets]{x}(y)<b>&amp;#;`|*_\\";
    assert!(texts.contains(&quoted.to_string()), "{texts:?}");
    let long = format!("apps/{}…", &long_sa()[..74]);
    assert!(texts.contains(&long), "{texts:?}");
    assert!(texts.contains(&"IRSA016".to_string()), "{texts:?}");
}

/// A tree of `n` service accounts, each with its role; the first `broken` trust another account.
fn big_tree(n: usize, broken: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let issuer = "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";
    let mut sas = String::new();
    for i in 0..n {
        sas.push_str(&format!("---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: sa-{i}\n  namespace: team-{}\n  annotations:\n    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/role-{i}\n", i % 7));
        let sub = if i < broken {
            "system:serviceaccount:other:sa".to_string()
        } else {
            format!("system:serviceaccount:team-{}:sa-{i}", i % 7)
        };
        let trust = serde_json::json!({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow",
            "Principal": {"Federated": format!("arn:aws:iam::111122223333:oidc-provider/{issuer}")},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {format!("{issuer}:sub"): sub, format!("{issuer}:aud"): "sts.amazonaws.com"}}
        }]});
        std::fs::write(dir.path().join(format!("role-{i}.json")), trust.to_string()).unwrap();
    }
    std::fs::write(dir.path().join("sas.yaml"), sas).unwrap();
    dir
}

#[test]
fn markdown_at_500_pairs_draws_only_the_broken_ones_and_says_how_many_are_left_out() {
    let dir = big_tree(500, 12);
    let (_, md) = lint(dir.path(), "markdown");
    assert!(
        md.contains("(500 service-account/role pairs checked)"),
        "{md}"
    );
    assert!(
        md.contains("12 of 500 pairs drawn: only pairs with findings; 488 left out."),
        "{md}"
    );
    let checked = check_markdown(&md);
    let d = diagram(&checked);
    // 12 SAs and 12 roles and the provider; within GitHub's limits.
    assert_eq!(labels(d).len(), 25);
    assert_eq!(d["edges"].as_array().unwrap().len(), 24);
    assert!(d["chars"].as_u64().unwrap() < 50_000);
    let (_, dot) = lint(dir.path(), "dot");
    assert!(dot.contains("label=\"12 of 500 pairs drawn"), "{dot}");
}

#[test]
fn markdown_of_a_small_clean_tree_draws_every_pair_with_no_red_edge() {
    let dir = big_tree(30, 0);
    let (code, md) = lint(dir.path(), "markdown");
    assert_eq!(code, 0, "{md}");
    assert!(
        md.starts_with("**✅ kubectl-irsa: no findings** (30 service-account/role pairs checked)"),
        "{md}"
    );
    assert!(!md.contains("linkStyle"), "{md}");
    let checked = check_markdown(&md);
    let d = diagram(&checked);
    assert_eq!(labels(d).len(), 61);
    assert_eq!(d["edges"].as_array().unwrap().len(), 60);
}

#[test]
fn lint_refuses_openreports_which_is_about_a_live_cluster() {
    let (code, out) = lint(&root().join("testdata/example"), "openreports");
    assert_eq!(code, 2, "{out}");
}

#[test]
fn snapshots_of_markdown_and_dot() {
    let (_, md) = lint(&root().join("testdata/example"), "markdown");
    insta::assert_snapshot!("example_markdown", md);
    let (_, dot) = lint(&root().join("testdata/example"), "dot");
    insta::assert_snapshot!("example_dot", dot);
}
