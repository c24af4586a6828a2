//! A time-boxed fuzz smoke on stable, in the normal `cargo test`: every target of
//! `fuzz/targets.rs` (the same bodies the cargo-fuzz targets run) over its seed corpus and a
//! deterministic stream of mutations of it. It is no replacement for a coverage-guided campaign
//! (`scripts/fuzz.sh`), but it reaches shallow crash classes such as issue #16's (one space less
//! on the first line of a block scalar) in seconds.
//!
//! `FUZZ_SMOKE_SECONDS` (default 20) is the budget for all targets together, shared evenly;
//! `FUZZ_SMOKE_INPUTS` (default 4000) caps the mutations per target, so a slower machine runs a
//! prefix of the same stream a faster one ran and cannot fail where it passed;
//! `FUZZ_SMOKE_SEED` changes the mutation stream. A failure prints the target, the seed file
//! and the mutated input (base64) to save under `tests/fuzz_regressions/<target>/`.

#[path = "../fuzz/targets.rs"]
mod targets;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use base64::Engine;

/// splitmix64: small, fast and reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// Bytes that matter to YAML, JSON, INI, ARNs and UTF-8.
const INTERESTING: &[&[u8]] = &[
    b" ",
    b"\n",
    b"\r\n",
    b"\t",
    b":",
    b": ",
    b"- ",
    b"#",
    b"|",
    b">",
    b"|-",
    b"\"",
    b"'",
    b"\\",
    b"{",
    b"}",
    b"[",
    b"]",
    b",",
    b"&a",
    b"*a",
    b"!!str ",
    b"=",
    b"*",
    b"?",
    b"$",
    b"${X}",
    b"arn:aws:iam::",
    b":role/",
    b"\xc3\xa9",
    b"\xe2\x80\x8b",
    b"\xf0\x9f\x98\x80",
    b"\xff",
    b"\0",
    b"0",
    b"-1",
    b"99999999999999999999",
    b"null",
    b"true",
    b"--role-arn ",
];

/// One random edit of `data`; `other` is another seed to splice from.
fn mutate(rng: &mut Rng, data: &mut Vec<u8>, other: &[u8]) {
    let len = data.len();
    match rng.below(10) {
        0 if len > 0 => data[rng.below(len)] ^= 1 << rng.below(8),
        1 if len > 0 => {
            data.remove(rng.below(len));
        }
        2 => {
            let at = rng.below(len + 1);
            let piece = INTERESTING[rng.below(INTERESTING.len())];
            data.splice(at..at, piece.iter().copied());
        }
        3 | 4 => {
            // Indentation: add or drop one leading space of a line (block scalars, nesting).
            let starts: Vec<usize> = std::iter::once(0)
                .chain(
                    data.iter()
                        .enumerate()
                        .filter(|(_, &b)| b == b'\n')
                        .map(|(i, _)| i + 1),
                )
                .filter(|&i| i <= len)
                .collect();
            let at = starts[rng.below(starts.len())];
            if rng.below(2) == 0 && data.get(at) == Some(&b' ') {
                data.remove(at);
            } else {
                data.insert(at, b' ');
            }
        }
        5 if len > 0 => {
            // Duplicate or delete a line.
            let a = rng.below(len);
            let start = data[..a]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |i| i + 1);
            let end = data[a..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(len, |i| a + i + 1);
            if rng.below(2) == 0 {
                let line = data[start..end].to_vec();
                data.splice(start..start, line);
            } else {
                data.drain(start..end);
            }
        }
        6 if !other.is_empty() => {
            // Splice a piece of another seed in.
            let from = rng.below(other.len());
            let to = (from + 1 + rng.below(64)).min(other.len());
            let at = rng.below(len + 1);
            data.splice(at..at, other[from..to].iter().copied());
        }
        7 if len > 0 => data.truncate(rng.below(len)),
        8 if len > 1 => {
            // Copy a chunk of itself elsewhere.
            let from = rng.below(len);
            let to = (from + 1 + rng.below(32)).min(len);
            let piece = data[from..to].to_vec();
            let at = rng.below(len + 1);
            data.splice(at..at, piece);
        }
        _ if len > 0 => data[rng.below(len)] = rng.next() as u8,
        _ => data.push(rng.next() as u8),
    }
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let path = e.path();
        if path.is_dir() {
            walk(&path, out);
        } else if path.is_file() {
            out.push(path);
        }
    }
}

/// `tests/fuzz_regressions/<name>/*`, then the target's seed directories, in a stable order.
fn seeds(target: &targets::FuzzTarget) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    walk(
        &root().join("tests/fuzz_regressions").join(target.name),
        &mut files,
    );
    let mut more = Vec::new();
    for dir in target.seed_dirs {
        walk(&root().join(dir), &mut more);
    }
    more.retain(|p| {
        let name = p.to_string_lossy();
        target.seed_suffixes.iter().any(|s| name.ends_with(s))
    });
    files.sort();
    more.sort();
    files.extend(more);
    files
        .into_iter()
        .filter_map(|p| {
            let data = std::fs::read(&p).ok()?;
            (data.len() <= 64 * 1024).then_some((p, data))
        })
        .collect()
}

/// Run one target for `budget`: every seed once, then mutated seeds (1–4 edits each) until the
/// budget is spent or `cap` mutations ran. Returns how many inputs ran, or the failing input.
fn smoke(
    target: &targets::FuzzTarget,
    budget: Duration,
    cap: usize,
    seed: u64,
) -> Result<usize, String> {
    let corpus = seeds(target);
    assert!(!corpus.is_empty(), "{}: no seeds", target.name);
    let run = |data: &[u8]| std::panic::catch_unwind(|| (target.run)(data)).is_ok();
    let fail = |from: &Path, data: &[u8]| {
        format!(
            "fuzz smoke: {} panicked on a mutation of {}; save this input (base64) under tests/fuzz_regressions/{}/:\n{}",
            target.name,
            from.display(),
            target.name,
            base64::engine::general_purpose::STANDARD.encode(data)
        )
    };
    let started = Instant::now();
    let mut rng = Rng(seed
        ^ target
            .name
            .bytes()
            .fold(0u64, |h, b| h.wrapping_mul(31) ^ u64::from(b)));
    let mut count = 0;
    for (path, data) in &corpus {
        if !run(data) {
            return Err(fail(path, data));
        }
        count += 1;
    }
    for _ in 0..cap {
        if started.elapsed() >= budget {
            break;
        }
        let (path, base) = &corpus[rng.below(corpus.len())];
        let other = &corpus[rng.below(corpus.len())].1;
        let mut data = base.clone();
        for _ in 0..=rng.below(4) {
            mutate(&mut rng, &mut data, other);
        }
        if !run(&data) {
            return Err(fail(path, &data));
        }
        count += 1;
    }
    Ok(count)
}

#[test]
fn fuzz_smoke() {
    let total: f64 = std::env::var("FUZZ_SMOKE_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20.0);
    let seed: u64 = std::env::var("FUZZ_SMOKE_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(16);
    let cap: usize = std::env::var("FUZZ_SMOKE_INPUTS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(4000);
    let budget = Duration::from_secs_f64(total / targets::TARGETS.len() as f64);
    // Panics are expected to be caught and reported below, not printed for each input.
    std::panic::set_hook(Box::new(|_| {}));
    let mut failures = Vec::new();
    for target in targets::TARGETS {
        match smoke(target, budget, cap, seed) {
            Ok(n) => eprintln!("fuzz smoke: {:<13} {n} inputs in {budget:.1?}", target.name),
            Err(e) => failures.push(e),
        }
    }
    let _ = std::panic::take_hook();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn the_mutator_is_deterministic() {
    let run = |seed| {
        let mut rng = Rng(seed);
        let mut data = b"a: |\n  x\n".to_vec();
        for _ in 0..50 {
            mutate(&mut rng, &mut data, b"other: 1\n");
        }
        data
    };
    assert_eq!(run(7), run(7));
    assert_ne!(run(7), run(8));
}
