//! Lint one tree with the system allocator and print the finding count (for memory profiling:
//! `valgrind --tool=massif target/release/examples/lint_tree DIR`).
fn main() {
    let dir = std::env::args().nth(1).expect("DIR");
    let opts = kubectl_irsa::lint::LintOptions {
        paths: vec![dir.into()],
        ..Default::default()
    };
    let result = kubectl_irsa::lint::lint(&opts, &kubectl_irsa::config::Config::default());
    println!("{} findings", result.findings.len());
    std::mem::forget(result);
}
