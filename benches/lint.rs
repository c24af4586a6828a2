//! `cargo bench --bench lint`: `lint()` over generated repositories of 1,000 and 10,000 documents
//! (and 100,000 with `IRSA_BENCH_LARGE=1`), reported as documents per second (criterion's
//! `elem/s`). Under `cargo test --all-targets` (criterion's test mode) it lints one small
//! repository once, so the suite stays fast.

#[path = "support/gen_repo.rs"]
mod gen_repo;

use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use kubectl_irsa::config::Config;
use kubectl_irsa::lint::{lint, LintOptions};

fn sizes() -> Vec<usize> {
    let args: Vec<String> = std::env::args().collect();
    let bench = args.iter().any(|a| a == "--bench") && !args.iter().any(|a| a == "--test");
    if !bench {
        return vec![200];
    }
    let mut sizes = vec![1_000, 10_000];
    if std::env::var_os("IRSA_BENCH_LARGE").is_some_and(|v| v != "0") {
        sizes.push(100_000);
    }
    sizes
}

fn bench_lint(c: &mut Criterion) {
    let mut group = c.benchmark_group("lint");
    group.sample_size(10);
    for docs in sizes() {
        let dir = tempfile::tempdir().expect("temp dir");
        let summary = gen_repo::generate(dir.path(), docs, true).expect("generate repository");
        let opts = LintOptions {
            paths: vec![dir.path().to_path_buf()],
            ..LintOptions::default()
        };
        let config = Config::default();

        // One timed run first: a plain docs/s figure and a sanity check on the findings.
        let start = Instant::now();
        let result = lint(&opts, &config);
        let elapsed = start.elapsed();
        let mismatches = result
            .findings
            .iter()
            .filter(|f| f.code == "IRSA016")
            .count();
        eprintln!(
            "lint {docs} docs ({} files, {} SAs, {} trust files): {:.1} ms, {:.0} docs/s, {} findings, {} IRSA016 (≥{} planted)",
            summary.files,
            summary.service_accounts,
            summary.trust_files,
            elapsed.as_secs_f64() * 1e3,
            summary.docs as f64 / elapsed.as_secs_f64(),
            result.findings.len(),
            mismatches,
            summary.mismatches,
        );
        assert!(
            mismatches >= summary.mismatches,
            "planted mismatches not found"
        );
        drop(result);

        group.throughput(Throughput::Elements(summary.docs as u64));
        group.measurement_time(Duration::from_secs(if docs >= 100_000 { 60 } else { 10 }));
        group.bench_with_input(BenchmarkId::from_parameter(docs), &opts, |b, opts| {
            b.iter(|| lint(opts, &config))
        });
    }
    group.finish();
}

criterion_group!(benches, bench_lint);
criterion_main!(benches);
