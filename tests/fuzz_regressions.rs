//! Replays every input under `tests/fuzz_regressions/<target>/` (minimized fuzz crashes and a few
//! interesting seeds) through the same functions the cargo-fuzz targets call (`fuzz/targets.rs`),
//! on stable, so CI keeps them fixed without libFuzzer.

#[path = "../fuzz/targets.rs"]
mod targets;

use std::path::Path;

#[test]
fn fuzz_regressions_replay() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions");
    let mut replayed = 0;
    for target in targets::TARGETS {
        let (name, run) = (target.name, target.run);
        let dir = root.join(name);
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.expect("dir entry").path())
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        assert!(!files.is_empty(), "no regression inputs for {name}");
        for file in files {
            let data = std::fs::read(&file).expect("read regression input");
            let outcome = std::panic::catch_unwind(|| run(&data));
            assert!(outcome.is_ok(), "{name} panicked on {}", file.display());
            replayed += 1;
        }
    }
    assert!(replayed >= targets::TARGETS.len());
}
