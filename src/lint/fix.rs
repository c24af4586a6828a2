//! `--fix`: apply the mechanical fixes that findings carry (built with `diagnostics::fix`).

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::diagnostics::finding::{Finding, Replacement};
use crate::syntax::source::SourceFile;

/// Fixes applied to files: how many per path.
pub struct Applied {
    pub files: BTreeMap<String, usize>,
    pub skipped: usize,
}

/// Apply the fixes of `findings` to JSON files on disk. Overlapping edits are skipped (a second
/// `--fix` run picks them up); rendered and synthesized sources are never written.
pub fn apply(
    findings: &[Finding],
    sources: &BTreeMap<String, std::sync::Arc<SourceFile>>,
) -> std::io::Result<Applied> {
    let mut by_file: BTreeMap<String, Vec<&Replacement>> = BTreeMap::new();
    for f in findings {
        for r in f.fix.iter().flat_map(|fx| &fx.replacements) {
            by_file.entry(r.location.path.clone()).or_default().push(r);
        }
    }
    let mut applied = Applied {
        files: BTreeMap::new(),
        skipped: 0,
    };
    for (path, mut edits) in by_file {
        let Some(file) = sources.get(&path) else {
            continue;
        };
        // A text that could not be read back unchanged (`elided`) is never edited.
        let writable = file.elided.is_none()
            && file.path.extension().is_some_and(|e| e == "json")
            && file.path.is_file()
            && !path.ends_with("(rendered)");
        // Never write over an edit made since the lint read the file.
        let unchanged =
            || crate::syntax::source::read_text(&file.path, u64::MAX).is_ok_and(|t| t == file.text);
        if !writable || !unchanged() {
            applied.skipped += edits.len();
            continue;
        }
        edits.sort_by_key(|r| (std::cmp::Reverse(r.start), std::cmp::Reverse(r.end)));
        edits.dedup_by(|a, b| a.start == b.start && a.end == b.end && a.text == b.text);
        let mut text = file.text.clone();
        let mut floor = usize::MAX;
        let mut count = 0;
        for r in edits {
            if r.end > floor
                || r.end > text.len()
                || !text.is_char_boundary(r.start)
                || !text.is_char_boundary(r.end)
            {
                applied.skipped += 1;
                continue;
            }
            text.replace_range(r.start..r.end, &r.text);
            floor = r.start;
            count += 1;
        }
        let target: PathBuf = file.path.clone();
        std::fs::write(&target, text)?;
        applied.files.insert(path, count);
    }
    Ok(applied)
}
