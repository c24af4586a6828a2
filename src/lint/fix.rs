//! Mechanical fixes: build replacements that keep the file's formatting, and apply them (`--fix`).

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::input::source::SourceFile;
use crate::input::yaml::Span;
use crate::report::finding::{Finding, Fix, Location, Replacement};

/// Replace the text at `span` of `file` (quotes around a scalar are kept).
pub fn replace_scalar(file: &SourceFile, span: Span, new_value: &str) -> Option<Replacement> {
    let original = file.text.get(span.start.offset..span.end.offset)?;
    let quote = original.chars().next().filter(|c| *c == '"' || *c == '\'');
    let text = match quote {
        Some(q) => format!(
            "{q}{}{q}",
            new_value.replace(q, if q == '"' { "\\\"" } else { "''" })
        ),
        None => new_value.to_string(),
    };
    Some(Replacement {
        location: Location::new(file, span),
        start: span.start.offset,
        end: span.end.offset,
        text,
    })
}

/// Insert `text` at a byte offset.
pub fn insert_at(file: &SourceFile, span: Span, text: String) -> Replacement {
    Replacement {
        location: Location::new(
            file,
            Span {
                start: span.end,
                end: span.end,
            },
        ),
        start: span.end.offset,
        end: span.end.offset,
        text,
    }
}

pub fn fix(description: impl Into<String>, replacements: Vec<Replacement>) -> Fix {
    Fix {
        description: description.into(),
        replacements,
    }
}

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
            || crate::input::source::read_text(&file.path, u64::MAX).is_ok_and(|t| t == file.text);
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
