//! The layering of `src/` (docs/architecture.md): a module may use only the layers below it.
//! This test reads every `crate::…` and `super::…` path in `src/` (comments and strings skipped)
//! and fails on any import that runs upward or sideways between modules of one rank.

use std::path::{Path, PathBuf};

/// The one layer table: top-level module, layer, rank inside the layer. An import from module A
/// to module B (A ≠ B) is allowed only when B's (layer, rank) is strictly lower than A's, so
/// `rules` and `doctor` (both checks, same rank) never import each other.
const LAYERS: &[(&str, u8, u8)] = &[
    ("syntax", 1, 0),
    ("model", 2, 0),
    ("diagnostics", 3, 0),
    ("facts", 4, 0),
    ("frontends", 5, 0),
    ("rules", 6, 0),
    ("doctor", 6, 0),
    ("report", 7, 0),
    ("config", 7, 1),
    ("lint", 7, 2),
    ("commands", 7, 3),
    ("cli", 7, 4),
    ("app", 7, 5),
];

fn rank(module: &str) -> Option<(u8, u8)> {
    LAYERS
        .iter()
        .find(|(m, _, _)| *m == module)
        .map(|(_, l, r)| (*l, *r))
}

/// Source text with comments and string/char literals blanked (newlines kept, so lines count).
fn code_only(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    let blank = |out: &mut Vec<u8>, c: u8| out.push(if c == b'\n' { b'\n' } else { b' ' });
    while i < b.len() {
        match b[i] {
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    blank(&mut out, b[i]);
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let mut depth = 0usize;
                while i < b.len() {
                    if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
                        depth += 1;
                        out.extend_from_slice(b"  ");
                        i += 2;
                    } else if b[i] == b'*' && b.get(i + 1) == Some(&b'/') {
                        depth -= 1;
                        out.extend_from_slice(b"  ");
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        blank(&mut out, b[i]);
                        i += 1;
                    }
                }
            }
            b'r' if matches!(b.get(i + 1), Some(b'#') | Some(b'"'))
                && (i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_')) =>
            {
                let mut j = i + 1;
                while b.get(j) == Some(&b'#') {
                    j += 1;
                }
                if b.get(j) != Some(&b'"') {
                    out.push(b[i]);
                    i += 1;
                    continue;
                }
                let hashes = j - i - 1;
                let mut k = j + 1;
                while k < b.len() {
                    if b[k] == b'"'
                        && b[k + 1..]
                            .iter()
                            .take(hashes)
                            .filter(|c| **c == b'#')
                            .count()
                            == hashes
                    {
                        k += 1 + hashes;
                        break;
                    }
                    k += 1;
                }
                for c in &b[i..k.min(b.len())] {
                    blank(&mut out, *c);
                }
                i = k;
            }
            b'"' => {
                blank(&mut out, b'"');
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    if b[i] == b'\\' {
                        blank(&mut out, b[i]);
                        i += 1;
                    }
                    if i < b.len() {
                        blank(&mut out, b[i]);
                        i += 1;
                    }
                }
                if i < b.len() {
                    blank(&mut out, b[i]);
                    i += 1;
                }
            }
            b'\'' => {
                // A char literal ('x', '\n', '\u{..}') or a lifetime ('a): blank only the former.
                let end = if b.get(i + 1) == Some(&b'\\') {
                    b[i + 2..]
                        .iter()
                        .position(|c| *c == b'\'')
                        .map(|p| i + 2 + p)
                } else {
                    let len = text[i + 1..].chars().next().map_or(1, char::len_utf8);
                    (b.get(i + 1 + len) == Some(&b'\'')).then_some(i + 1 + len)
                };
                match end {
                    Some(e) => {
                        for c in &b[i..=e] {
                            blank(&mut out, *c);
                        }
                        i = e + 1;
                    }
                    None => {
                        out.push(b[i]);
                        i += 1;
                    }
                }
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The module path of a file under `src/`: `frontends/helm/mod.rs` → `[frontends, helm]`.
fn module_path(relative: &Path) -> Vec<String> {
    let mut parts: Vec<String> = relative
        .with_extension("")
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts
        .last()
        .is_some_and(|p| p == "mod" || p == "lib" || p == "main")
    {
        parts.pop();
    }
    parts
}

/// `(line, top-level module)` of every path into the crate that `code` names.
fn referenced_modules(code: &str, module: &[String]) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    for (n, line) in code.lines().enumerate() {
        let mut rest = line;
        while let Some(pos) = rest.find("crate::").or_else(|| rest.find("super::")) {
            let preceded = rest[..pos]
                .chars()
                .last()
                .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
            let is_super = rest[pos..].starts_with("super::");
            let mut tail = &rest[pos..];
            rest = &rest[pos + 7..];
            if preceded {
                continue;
            }
            let top = if is_super {
                let mut depth = module.len();
                while let Some(t) = tail.strip_prefix("super::") {
                    depth = depth.saturating_sub(1);
                    tail = t;
                }
                if depth > 0 {
                    module[0].clone()
                } else {
                    ident(tail)
                }
            } else {
                tail = &tail["crate::".len()..];
                if let Some(group) = tail.strip_prefix('{') {
                    // `crate::{a::x, b}`: every name at the group's top level.
                    let mut depth = 0;
                    let mut start = true;
                    for (i, c) in group.char_indices() {
                        match c {
                            '{' => depth += 1,
                            '}' if depth == 0 => break,
                            '}' => depth -= 1,
                            ',' if depth == 0 => start = true,
                            c if start && (c.is_ascii_alphabetic() || c == '_') => {
                                out.push((n + 1, ident(&group[i..])));
                                start = false;
                            }
                            _ => {}
                        }
                    }
                    continue;
                }
                ident(tail)
            };
            out.push((n + 1, top));
        }
    }
    out
}

/// Every upward or sideways import in one file, as `path:line: A -> B`.
fn violations(display: &str, text: &str, module: &[String]) -> Vec<String> {
    let Some(own) = module.first() else {
        return Vec::new(); // lib.rs / main.rs declare the layers; they import nothing.
    };
    let Some(own_rank) = rank(own) else {
        return vec![format!(
            "{display}: module `{own}` is not in the layer table (tests/layers.rs)"
        )];
    };
    let mut out = Vec::new();
    for (line, target) in referenced_modules(&code_only(text), module) {
        if target == *own || target.is_empty() || target == "declare_rule" {
            continue;
        }
        match rank(&target) {
            Some(r) if r < own_rank => {}
            Some(_) => out.push(format!(
                "{display}:{line}: `{own}` (layer {}) imports `{target}`, which is not below it",
                own_rank.0
            )),
            None => out.push(format!(
                "{display}:{line}: `{own}` imports `{target}`, which is not in the layer table"
            )),
        }
    }
    out
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().flatten().collect();
    entries.sort_by_key(|e| e.path());
    for e in entries {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn no_import_runs_upward() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    assert!(
        files.len() > 50,
        "found only {} files under src/",
        files.len()
    );
    let mut all = Vec::new();
    for file in &files {
        let relative = file.strip_prefix(&src).unwrap();
        let text = std::fs::read_to_string(file).unwrap();
        all.extend(violations(
            &format!("src/{}", relative.display()),
            &text,
            &module_path(relative),
        ));
    }
    assert!(
        all.is_empty(),
        "imports against the layering (docs/architecture.md):\n{}",
        all.join("\n")
    );
}

#[test]
fn every_top_level_module_is_in_the_table() {
    let lib =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs")).unwrap();
    for line in lib.lines() {
        if let Some(name) = line
            .strip_prefix("pub mod ")
            .and_then(|l| l.strip_suffix(';'))
        {
            assert!(
                rank(name).is_some(),
                "src/lib.rs declares `{name}`, missing from LAYERS"
            );
        }
    }
}

#[test]
fn the_check_catches_upward_and_sideways_imports() {
    let m = |p: &str| module_path(Path::new(p));
    let up = "use crate::syntax::yaml::Node;\nuse crate::lint::input_finding;\n";
    assert_eq!(
        violations("src/model/policy.rs", up, &m("model/policy.rs")),
        vec![
            "src/model/policy.rs:2: `model` (layer 2) imports `lint`, which is not below it"
                .to_string()
        ]
    );
    let grouped = "use crate::{facts::Workspace, report::Report};";
    assert_eq!(
        violations("src/rules/x.rs", grouped, &m("rules/x.rs")).len(),
        1
    );
    assert_eq!(
        violations(
            "src/rules/x.rs",
            "crate::doctor::rules::metas()",
            &m("rules/x.rs")
        )
        .len(),
        1
    );
    // `super::super` out of a top-level module's child reaches the crate root.
    assert_eq!(
        violations(
            "src/model/a.rs",
            "use super::super::app::run;",
            &m("model/a.rs")
        )
        .len(),
        1
    );
    assert!(violations(
        "src/model/a/b.rs",
        "use super::super::glob;",
        &m("model/a/b.rs")
    )
    .is_empty());
    // Comments and strings are not imports.
    let quiet =
        "// crate::app::run\nlet s = \"crate::app\"; let c = 'x'; fn f<'a>(_: &'a str) {}\n";
    assert!(violations("src/syntax/x.rs", quiet, &m("syntax/x.rs")).is_empty());
}
