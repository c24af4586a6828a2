//! The coverage summary (issue 21): what could not be checked is said once, grouped by reason,
//! not as a finding per item; the pairs that were checked are listed; every format carries it;
//! every location names a real file.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

#[path = "support/lint_json.rs"]
mod lint_json;
use lint_json::{root, tools_path};

fn run(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_kubectl-irsa"))
        .current_dir(root())
        .arg("lint")
        .args(args)
        .env("PATH", tools_path())
        .env("NO_COLOR", "1")
        .env_remove("HELM_BIN")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    (out.status.code().unwrap_or(-1), text)
}

fn json(args: &[&str]) -> (i32, Value) {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    let (code, text) = run(&all);
    (code, serde_json::from_str(&text).unwrap())
}

const TEMPLATES: &str = "testdata/gitops/templates/notes";

#[test]
fn unchecked_items_are_one_group_not_a_finding_each() {
    let (code, doc) = json(&[TEMPLATES]);
    assert_eq!(code, 0);
    assert_eq!(doc["findings"], Value::Array(Vec::new()), "{doc:#}");
    let groups = doc["summary"]["not_checked"].as_array().unwrap();
    assert_eq!(groups.len(), 1, "{doc:#}");
    assert_eq!(groups[0]["code"], "IRSA052");
    assert_eq!(groups[0]["count"], 5);
    // The first few names, not every one.
    assert_eq!(groups[0]["items"].as_array().unwrap().len(), 5);

    let (_, human) = run(&[TEMPLATES]);
    assert!(human.contains("Not checked:"), "{human}");
    assert!(
        human.contains("5 template files not linted (IRSA052)"),
        "{human}"
    );
    assert!(human.trim_end().ends_with("no findings"), "{human}");
    // One short block, not a note of many lines per file.
    assert!(human.lines().count() < 12, "{human}");
}

#[test]
fn verbose_lists_every_item_as_a_finding_too() {
    let (_, doc) = json(&[TEMPLATES, "--verbose"]);
    let notes = doc["findings"].as_array().unwrap();
    assert_eq!(notes.len(), 5, "{doc:#}");
    assert!(notes.iter().all(|f| f["code"] == "IRSA052"));
    assert_eq!(doc["summary"]["not_checked"][0]["count"], 5);
}

#[test]
fn checked_pairs_are_listed_so_silence_is_not_a_pass() {
    let (code, doc) = json(&["testdata/example"]);
    assert_eq!(code, 1);
    let summary = &doc["summary"];
    assert_eq!(summary["checked_pairs"], 1, "{summary:#}");
    assert_eq!(summary["checked"][0]["role"], "AWSIRSA_demo_edp_Kaniko");
    assert_eq!(summary["checked"][0]["service_account"], "ci/edp-kaniko");
    assert_eq!(summary["checked"][0]["via"], "irsa");
    let by_rule: Vec<&str> = (summary["by_rule"].as_array().unwrap().iter())
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert!(by_rule.contains(&"IRSA016"), "{by_rule:?}");

    let (_, human) = run(&["testdata/example"]);
    assert!(
        human.contains(
            "Checked 1 role/service-account pair: AWSIRSA_demo_edp_Kaniko ↔ ci/edp-kaniko"
        ),
        "{human}"
    );
    assert!(human.contains("By rule: "), "{human}");
}

#[test]
fn concise_is_one_line_per_finding() {
    let (_, text) = run(&["testdata/example", "--format", "concise"]);
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("testdata/"))
        .collect();
    let (_, doc) = json(&["testdata/example"]);
    assert_eq!(
        lines.len(),
        doc["findings"].as_array().unwrap().len(),
        "{text}"
    );
    assert!(
        lines.iter().any(|l| l.starts_with(
            "testdata/example/AWSIRSA_demo_edp_Kaniko.json:12:11: IRSA016 [error] role"
        )),
        "{text}"
    );
}

#[test]
fn sarif_carries_the_summary_and_only_real_files() {
    // A pack finding on a release read from a kustomize build: it pointed at
    // `testdata/gitops/pack-in-build (kustomize build)` and repeated the built-in IRSA001.
    let dir = "testdata/gitops/pack-in-build";
    let (_, doc) = json(&[dir]);
    let found: Vec<String> = (doc["findings"].as_array().unwrap().iter())
        .map(|f| {
            format!(
                "{} {}:{}",
                f["code"], f["location"]["path"], f["location"]["line"]
            )
        })
        .collect();
    assert_eq!(
        found,
        ["\"IRSA001\" \"testdata/gitops/pack-in-build/release.yaml\":18"],
        "one finding per problem, at the values line"
    );
    let (_, text) = run(&[dir, "--format", "sarif", "--verbose"]);
    let sarif: Value = serde_json::from_str(&text).unwrap();
    let run0 = &sarif["runs"][0];
    assert!(run0["properties"]["coverage"]["files"].as_u64().unwrap() > 0);
    let mut uris = Vec::new();
    for result in run0["results"].as_array().unwrap() {
        let locations = result["locations"].as_array().into_iter().flatten();
        let related = result["relatedLocations"].as_array().into_iter().flatten();
        for l in locations.chain(related) {
            if let Some(uri) = l["physicalLocation"]["artifactLocation"]["uri"].as_str() {
                uris.push(uri.to_string());
            }
        }
    }
    assert!(!uris.is_empty(), "{text}");
    for uri in uris {
        let path = percent_decode(&uri);
        assert!(root().join(&path).is_file(), "{path} is not a file: {text}");
        assert!(Path::new(&path).extension().is_some() || path.ends_with("Kustomization"));
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).to_string()
}

#[test]
fn a_resource_generated_from_a_template_beside_it_is_not_checked_not_broken() {
    let dir = "testdata/gitops/generated-claim";
    let (code, doc) = json(&[dir, "--verbose"]);
    let found: Vec<(&str, &str)> = (doc["findings"].as_array().unwrap().iter())
        .map(|f| (f["code"].as_str().unwrap(), f["severity"].as_str().unwrap()))
        .collect();
    assert!(found.contains(&("IRSA051", "note")), "{doc:#}");
    assert!(!found.contains(&("IRSA051", "warning")), "{doc:#}");
    assert_eq!(code, 0);
    let (_, quiet) = json(&[dir]);
    let groups = quiet["summary"]["not_checked"].as_array().unwrap();
    assert!(groups.iter().any(|g| g["code"] == "IRSA051"), "{quiet:#}");
    // A resource with no template beside it is not checked either; a patch that matches
    // nothing is still a broken kustomization (a warning).
    let (_, absent) = json(&["testdata/gitops/bad-input/missing-file", "--verbose"]);
    assert!(
        (absent["findings"].as_array().unwrap().iter())
            .any(|f| f["code"] == "IRSA051" && f["severity"] == "note"),
        "{absent:#}"
    );
    let (_, broken) = json(&["testdata/gitops/bad-input/missing-target", "--verbose"]);
    assert!(
        (broken["findings"].as_array().unwrap().iter())
            .any(|f| f["code"] == "IRSA051" && f["severity"] == "warning"),
        "{broken:#}"
    );
}

#[test]
fn fail_on_note_does_not_depend_on_verbose() {
    let (quiet, _) = run(&[TEMPLATES, "--fail-on", "note"]);
    let (verbose, _) = run(&[TEMPLATES, "--fail-on", "note", "--verbose"]);
    assert_eq!((quiet, verbose), (1, 1));
    let (default, _) = run(&[TEMPLATES]);
    assert_eq!(default, 0, "could not check never fails the default gate");
}

/// A role of the run trusts `kube-system/external-dns`, which the run does not create: the
/// trust-side check (IRSA028) cannot see what it uses, and the summary says so.
#[test]
fn trusted_accounts_created_outside_the_run_are_listed() {
    let dir = "testdata/rules/IRSA028/cases/outside";
    let (code, doc) = json(&[dir]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(doc["summary"]["trusted_outside_count"], 1, "{doc:#}");
    assert_eq!(
        doc["summary"]["trusted_outside"][0]["service_account"],
        "kube-system/external-dns"
    );
    let (_, human) = run(&[dir]);
    assert!(
        human.contains("created outside it (what they use is not known): 1 service account: external-dns ↔ kube-system/external-dns"),
        "{human}"
    );
    // A run that creates the account does not list it.
    let (_, doc) = json(&["testdata/rules/IRSA028/bad.d"]);
    assert!(
        doc["summary"].get("trusted_outside_count").is_none(),
        "{doc:#}"
    );
}
