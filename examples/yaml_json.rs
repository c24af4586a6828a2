//! Read YAML files (paths on standard input, one a line) with kubectl-irsa's reader and print one
//! JSON line each: `{"path", "documents", "error"}`, every scalar as written. The other side of
//! `scripts/yaml-diff.py`, which compares it with PyYAML.
use std::io::BufRead;

fn main() {
    for path in std::io::stdin().lock().lines().map_while(Result::ok) {
        if path.is_empty() {
            continue;
        }
        println!("{}", kubectl_irsa::syntax::yaml::raw_view(&path));
    }
}
