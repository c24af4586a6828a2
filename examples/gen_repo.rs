//! `cargo run --release --example gen_repo -- N DIR [--no-irsa]`: write a realistic repository of
//! N YAML/JSON documents under DIR (used by `scripts/bench.sh`; the criterion bench uses the same
//! generator). `--no-irsa` leaves out ServiceAccounts, trust policies and values files.

#[path = "../benches/support/gen_repo.rs"]
mod gen_repo;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(n), Some(dir)) = (args.first().and_then(|n| n.parse().ok()), args.get(1)) else {
        eprintln!("usage: gen_repo N DIR [--no-irsa]");
        std::process::exit(2);
    };
    let dir = std::path::Path::new(dir);
    if dir.exists() && std::fs::read_dir(dir).map_or(true, |mut d| d.next().is_some()) {
        eprintln!("gen_repo: {} exists and is not empty", dir.display());
        std::process::exit(2);
    }
    let irsa = !args.iter().any(|a| a == "--no-irsa");
    match gen_repo::generate(dir, n, irsa) {
        Ok(s) => println!(
            "docs={} files={} service_accounts={} trust_files={} mismatches={}",
            s.docs, s.files, s.service_accounts, s.trust_files, s.mismatches
        ),
        Err(e) => {
            eprintln!("gen_repo: {e}");
            std::process::exit(1);
        }
    }
}
