//! Rule packs: each built-in pack fires on a bad fixture, stays quiet on a good one, points at the
//! values key, and broken packs are reported at the right line.

use std::path::PathBuf;

use kubectl_irsa::config::Config;
use kubectl_irsa::diagnostics::finding::{Finding, Severity};
use kubectl_irsa::frontends::helm::HelmOptions;
use kubectl_irsa::lint::{lint, LintOptions};

fn dir(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/packs")
        .join(rel)
}

fn run_with(rel: &str, helm: HelmOptions, rule_dirs: Vec<PathBuf>) -> Vec<Finding> {
    let opts = LintOptions {
        paths: vec![dir(rel)],
        helm: HelmOptions {
            no_render: true,
            ..helm
        },
        rule_dirs,
        ..LintOptions::default()
    };
    lint(&opts, &Config::default())
        .findings
        .into_iter()
        .filter(|f| f.code != "IRSA020")
        .collect()
}

fn run(rel: &str) -> Vec<Finding> {
    run_with(rel, HelmOptions::default(), Vec::new())
}

fn find<'a>(findings: &'a [Finding], code: &str) -> &'a Finding {
    findings
        .iter()
        .find(|f| f.code == code)
        .unwrap_or_else(|| panic!("no {code} in {findings:#?}"))
}

/// The finding is at `line` of a values file, and points back at the rule in its pack.
fn assert_at(f: &Finding, file_suffix: &str, line: usize, pack: &str) {
    let loc = f.location.as_ref().expect("location");
    assert!(loc.path.ends_with(file_suffix), "{}: {}", f.code, loc.path);
    assert_eq!(loc.line, line, "{}: {}", f.code, f.message);
    let rel = f.related.first().expect("related location to the rule");
    assert!(rel.path.ends_with(pack), "{}", rel.path);
    assert!(rel.message.as_deref().unwrap_or("").contains(&f.code));
}

fn codes(findings: &[Finding]) -> Vec<&str> {
    findings.iter().map(|f| f.code.as_str()).collect()
}

fn quiet(findings: &[Finding]) -> bool {
    findings.iter().all(|f| f.severity == Severity::Note)
}

#[test]
fn kuberocketci_bad() {
    let f = run("kuberocketci/bad");
    let arn = find(&f, "KRCI001");
    assert_at(arn, "values.yaml", 4, "rules/kuberocketci.yaml");
    assert!(arn.message.contains("edp-kaniko"), "{}", arn.message);
    assert_eq!(
        arn.object.as_ref().and_then(|o| o.namespace.as_deref()),
        Some("edp")
    );
    let note = find(&f, "KRCI002");
    assert_at(note, "values.yaml", 2, "rules/kuberocketci.yaml");
    assert!(note
        .message
        .contains("system:serviceaccount:edp:edp-kaniko"));
    assert_at(
        find(&f, "KRCI004"),
        "values.yaml",
        10,
        "rules/kuberocketci.yaml",
    );
}

#[test]
fn kuberocketci_tekton_sa() {
    let f = run("kuberocketci/tekton");
    let arn = find(&f, "KRCI001");
    assert_at(arn, "values.yaml", 2, "rules/kuberocketci.yaml");
    assert!(arn.message.contains("SA `tekton`"), "{}", arn.message);
    assert!(!codes(&f).contains(&"KRCI002"));
}

#[test]
fn kuberocketci_good() {
    let helm = HelmOptions {
        namespace: Some("edp".into()),
        ..HelmOptions::default()
    };
    let f = run_with("kuberocketci/good", helm, Vec::new());
    assert!(f.is_empty(), "{f:#?}");
}

#[test]
fn epinio_bad() {
    let f = run("epinio/bad");
    let shared = find(&f, "EPIN004");
    assert_eq!(shared.severity, Severity::Warning);
    assert_at(shared, "values.yaml", 4, "rules/epinio.yaml");
    assert!(shared.message.contains("cluster-admin"));
    assert_at(find(&f, "EPIN005"), "values.yaml", 12, "rules/epinio.yaml");
    let f = run("epinio/bad-staging");
    assert_at(find(&f, "EPIN003"), "values.yaml", 8, "rules/epinio.yaml");
    assert_at(find(&f, "EPIN002"), "values.yaml", 4, "rules/epinio.yaml");
    assert!(!codes(&f).contains(&"EPIN005"));
}

#[test]
fn epinio_good() {
    let f = run("epinio/good");
    assert!(quiet(&f), "{f:#?}");
    assert!(!codes(&f).contains(&"EPIN003"));
}

#[test]
fn ack_bad() {
    let f = run("ack/bad");
    let region = find(&f, "KACK001");
    assert_at(region, "values.yaml", 3, "rules/ack.yaml");
    assert!(region.message.contains("account ID"), "{}", region.message);
    assert_at(find(&f, "KACK002"), "values.yaml", 12, "rules/ack.yaml");
    assert_at(find(&f, "KACK003"), "values.yaml", 12, "rules/ack.yaml");
    assert_at(find(&f, "KACK004"), "values.yaml", 5, "rules/ack.yaml");
    // The generic pack yields to the ACK pack.
    assert!(!codes(&f).iter().any(|c| c.starts_with("KSA")), "{f:#?}");
}

#[test]
fn ack_region_from_set_arg() {
    let helm = HelmOptions {
        set: vec!["aws.region=111122223333".into()],
        ..HelmOptions::default()
    };
    let f = run_with("ack/good", helm, Vec::new());
    let region = find(&f, "KACK001");
    assert!(region.message.contains("--set aws.region=111122223333"));
    assert_at(region, "values.yaml", 2, "rules/ack.yaml");
}

#[test]
fn a_region_set_at_deploy_time_is_a_note_not_the_pack_error() {
    let helm = HelmOptions {
        set: vec!["aws.region=${AWS_REGION}".into()],
        ..HelmOptions::default()
    };
    let f = run_with("ack/good", helm, Vec::new());
    assert_eq!(codes(&f), ["IRSA053"], "{f:#?}");
    assert!(
        f[0].message.contains("set at deploy time"),
        "{}",
        f[0].message
    );
}

#[test]
fn ack_good() {
    let f = run("ack/good");
    assert!(f.is_empty(), "{f:#?}");
}

#[test]
fn eks_anywhere_bad() {
    let f = run("eks-anywhere-credential-provider/bad");
    let pack = "rules/eks-anywhere-credential-provider.yaml";
    assert_at(find(&f, "EKSA001"), "values.yaml", 3, pack);
    assert_at(find(&f, "EKSA002"), "values.yaml", 8, pack);
    assert_at(find(&f, "EKSA003"), "values.yaml", 10, pack);
    assert_at(find(&f, "EKSA004"), "values.yaml", 2, pack);
    let duration = find(&f, "EKSA005");
    assert_at(duration, "values.yaml", 4, pack);
    assert!(duration
        .message
        .contains("credential[0].defaultCacheDuration"));
}

#[test]
fn eks_anywhere_good() {
    let f = run("eks-anywhere-credential-provider/good");
    assert!(f.is_empty(), "{f:#?}");
}

#[test]
fn generic_bad() {
    let f = run("generic-serviceaccount/bad");
    let pack = "rules/generic-serviceaccount.yaml";
    assert_at(find(&f, "KSA001"), "values.yaml", 5, pack);
    assert_at(find(&f, "KSA002"), "values.yaml", 5, pack);
}

#[test]
fn generic_good_and_values_file_precedence() {
    assert!(run("generic-serviceaccount/good").is_empty());
    let helm = HelmOptions {
        values: vec![dir("generic-serviceaccount/override.yaml")],
        ..HelmOptions::default()
    };
    let f = run_with("generic-serviceaccount/good", helm, Vec::new());
    assert_at(
        find(&f, "KSA001"),
        "override.yaml",
        3,
        "rules/generic-serviceaccount.yaml",
    );
}

#[test]
fn broken_pack_is_reported_at_its_line() {
    let f = run_with(
        "generic-serviceaccount/good",
        HelmOptions::default(),
        vec![dir("broken")],
    );
    let errors: Vec<&Finding> = f.iter().filter(|f| f.code == "IRSA018").collect();
    let severity = errors
        .iter()
        .find(|f| {
            f.location
                .as_ref()
                .is_some_and(|l| l.path.ends_with("bad-severity.yaml"))
        })
        .expect("bad severity reported");
    assert_eq!(severity.location.as_ref().map(|l| l.line), Some(7));
    let regex = errors
        .iter()
        .find(|f| {
            f.location
                .as_ref()
                .is_some_and(|l| l.path.ends_with("bad-regex.yaml"))
        })
        .expect("bad regex reported");
    assert_eq!(regex.location.as_ref().map(|l| l.line), Some(10));
}

#[test]
fn user_pack_runs_and_is_listed() {
    let user = vec![dir("user")];
    let f = run_with(
        "generic-serviceaccount/good",
        HelmOptions::default(),
        user.clone(),
    );
    assert_at(find(&f, "CUST001"), "values.yaml", 1, "custom.yaml");
    let infos = kubectl_irsa::lint::catalog::all_rule_infos_with(&user);
    let custom = infos.iter().find(|r| r.code == "CUST001").expect("listed");
    assert!(
        custom.source.ends_with("user/custom.yaml"),
        "{}",
        custom.source
    );
    assert_eq!(custom.name, "replica-count-one");
}

#[test]
fn builtin_packs_load_cleanly_and_are_listed() {
    let set = kubectl_irsa::rules::packs::PackSet::load(&[]);
    assert!(set.diagnostics.is_empty(), "{:#?}", set.diagnostics);
    assert_eq!(
        set.packs.len(),
        kubectl_irsa::rules::packs::BUILTIN_PACKS.len()
    );
    let infos = kubectl_irsa::lint::catalog::all_rule_infos_with(&[]);
    for code in [
        "KRCI001", "EPIN004", "KACK001", "EKSA005", "KSA002", "IRSA018",
    ] {
        let info = infos.iter().find(|r| r.code == code).expect(code);
        assert!(!info.source.is_empty());
    }
    let krci = infos.iter().find(|r| r.code == "KRCI001").expect("KRCI001");
    assert!(
        krci.source.contains("rules/kuberocketci.yaml"),
        "{}",
        krci.source
    );
}
