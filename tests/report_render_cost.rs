//! What `--format openreports` costs doctor on the fleet benchmark (issue 24, "Measures"): the
//! report of `tests/doctor_fleet_scale.rs` (20 clusters × 250 ServiceAccounts, no findings, so
//! 10,000 `pass` results) rendered as JSON and as OpenReports. The difference, against doctor's
//! wall time on that fleet (docs/performance-doctor.md), is the overhead. Ignored in CI:
//!
//! ```text
//! cargo test --test report_render_cost -- --ignored --nocapture
//! ```

use std::time::{Duration, Instant};

use kubectl_irsa::report::graph::{ClusterCheck, GraphPair, Provider};
use kubectl_irsa::report::{render, Format, Report};

fn fleet_report() -> Report {
    let mut report = Report::new("0.0.0");
    for c in 0..20 {
        let context = format!("cluster-{c:02}");
        let issuer = format!(
            "oidc.eks.us-east-1.amazonaws.com/id/FLEET{c:02}{}",
            "0".repeat(25)
        );
        for i in 0..250 {
            let role = format!("fleet-role-{:03}", (c * 25 + i / 5) % 500);
            report.graph.push(GraphPair {
                context: Some(context.clone()),
                namespace: format!("team-{:02}", i % 10),
                service_account: format!("svc-{i:03}"),
                role_arn: Some(format!("arn:aws:iam::123456789012:role/{role}")),
                role,
                provider: Provider::Oidc(issuer.clone()),
                association_id: None,
                trust_path: None,
                verified: true,
            });
        }
        for (policy, kind) in [
            ("IRSA101", "OpenIDConnectProvider"),
            ("IRSA112", "MutatingWebhookConfiguration"),
        ] {
            report.cluster_checks.push(ClusterCheck {
                context: Some(context.clone()),
                policy,
                kind,
                name: issuer.clone(),
            });
        }
    }
    report
}

fn best_of(report: &Report, format: Format) -> (Duration, usize) {
    let mut best = Duration::MAX;
    let mut size = 0;
    for _ in 0..5 {
        let mut out = Vec::new();
        let t = Instant::now();
        render(report, format, false, &mut out).unwrap();
        best = best.min(t.elapsed());
        size = out.len();
    }
    (best, size)
}

#[test]
#[ignore]
fn openreports_render_cost_on_the_fleet_report() {
    let report = fleet_report();
    let (json, json_bytes) = best_of(&report, Format::Json);
    let (or, or_bytes) = best_of(&report, Format::Openreports);
    let t = Instant::now();
    let docs = kubectl_irsa::report::openreports::reports(
        &report,
        kubectl_irsa::report::openreports::Api::OpenReports,
    );
    let build = t.elapsed();
    let t = Instant::now();
    let json_text = serde_json::to_string(&docs).unwrap();
    let as_json = t.elapsed();
    println!("fleet report: {} pairs", report.graph.len());
    println!(
        "  openreports objects built in {:.1} ms; as JSON {:.1} ms ({} bytes)",
        build.as_secs_f64() * 1e3,
        as_json.as_secs_f64() * 1e3,
        json_text.len()
    );
    println!(
        "  json:        {:>8.1} ms  {json_bytes} bytes",
        json.as_secs_f64() * 1e3
    );
    println!(
        "  openreports: {:>8.1} ms  {or_bytes} bytes",
        or.as_secs_f64() * 1e3
    );
    assert!(or_bytes > 0);
}

/// The 10,000-document benchmark repository (`target/…/examples/gen_repo 10000 DIR`, as
/// scripts/bench.sh makes it) linted once in-process; then the time of lint and of rendering
/// its report as JSON and as Markdown. Set BENCH_REPO to the repository.
#[test]
#[ignore]
fn markdown_render_cost_on_the_lint_benchmark() {
    let Some(repo) = std::env::var_os("BENCH_REPO") else {
        eprintln!("BENCH_REPO is not set: nothing measured");
        return;
    };
    let repo = std::path::PathBuf::from(repo);
    let opts = kubectl_irsa::lint::LintOptions {
        paths: vec![repo.clone()],
        ..Default::default()
    };
    let config = kubectl_irsa::config::Config::discover(&repo);
    let t = Instant::now();
    let result = kubectl_irsa::lint::lint(&opts, &config);
    let lint = t.elapsed();
    let mut findings = result.findings;
    let mut coverage = result.coverage;
    coverage.absorb(&mut findings);
    let mut report = Report::new("0.0.0");
    report.findings = findings;
    report.sources = result.sources;
    report.rules = result.rules;
    report.graph = std::mem::take(&mut coverage.graph);
    report.coverage = Some(coverage);
    let (json, _) = best_of(&report, Format::Json);
    let (md, md_bytes) = best_of(&report, Format::Markdown);
    println!(
        "lint of {}: {:.1} ms; {} pairs, {} findings",
        repo.display(),
        lint.as_secs_f64() * 1e3,
        report.graph.len(),
        report.findings.len()
    );
    println!("  json:     {:>8.1} ms", json.as_secs_f64() * 1e3);
    println!(
        "  markdown: {:>8.1} ms  {md_bytes} bytes",
        md.as_secs_f64() * 1e3
    );
}
