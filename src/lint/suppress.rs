//! Suppression and severity overrides: inline comments, object annotations, `.irsa.yaml`.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, OnceLock};

use regex::Regex;

use crate::config::{Config, RuleSetting};
use crate::diagnostics::finding::Finding;
use crate::facts::{Workspace, IGNORE_ANNOTATION};
use crate::syntax::source::SourceFile;

/// `# irsa:ignore[IRSA004,IRSA005] reason` (or `// irsa:ignore[…]` in HCL, and the comment
/// property `"//": "irsa:ignore[…]"` in Terraform's JSON syntax, which has no comments)
fn ignore_comment() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r#"(?:#|//|"//"\s*:\s*")\s*irsa:ignore\[([A-Za-z0-9_,\- ]+)\]"#)
            .expect("valid regex")
    })
}

/// Lines (1-based) of a file that carry an ignore comment, with the codes they name.
fn ignore_lines(text: &str) -> HashMap<usize, Vec<String>> {
    let mut out = HashMap::new();
    if !text.contains("irsa:ignore") {
        return out;
    }
    for (i, line) in text.lines().enumerate() {
        if let Some(c) = ignore_comment().captures(line) {
            let codes = c[1].split(',').map(|s| s.trim().to_string()).collect();
            out.insert(i + 1, codes);
        }
    }
    out
}

/// A byte range of a file whose object carries `irsa.kubectl.dev/ignore`.
struct AnnotatedRange {
    path: String,
    start: usize,
    end: usize,
    codes: Vec<String>,
}

/// Ignore comments and annotations, gathered from each file while its text and tree are at hand
/// (files are let go once linted), then applied to every finding at the end.
#[derive(Default)]
pub struct Suppressions {
    /// Per file (display path), the lines with an ignore comment; only files that have one.
    comments: HashMap<String, HashMap<usize, Vec<String>>>,
    ranges: Vec<AnnotatedRange>,
}

impl Suppressions {
    /// The ignore comments of every file of `ws` and the annotations of its objects.
    pub fn collect(ws: &Workspace) -> Self {
        let mut out = Suppressions::default();
        for file in &ws.files {
            out.add_comments(file);
        }
        out.ranges.extend(ws.all_objects().filter_map(|o| {
            let codes = o.annotation(IGNORE_ANNOTATION)?.value.as_str()?;
            Some(AnnotatedRange {
                path: o.file.display.clone(),
                start: o.node.span.start.offset,
                end: o.node.span.end.offset,
                codes: codes.split(',').map(|s| s.trim().to_string()).collect(),
            })
        }));
        out
    }

    pub fn add_comments(&mut self, file: &SourceFile) {
        let lines = ignore_lines(&file.text);
        if !lines.is_empty() {
            self.comments.insert(file.display.clone(), lines);
        }
    }

    pub fn merge(&mut self, other: Suppressions) {
        self.comments.extend(other.comments);
        self.ranges.extend(other.ranges);
    }
}

fn names(codes: &[String], finding: &Finding) -> bool {
    codes
        .iter()
        .any(|c| c == &finding.code || c == &finding.name || c == "all")
}

/// Drop suppressed findings, apply severity overrides, sort and de-duplicate.
pub fn apply(
    findings: Vec<Finding>,
    suppressions: &Suppressions,
    sources: &BTreeMap<String, Arc<SourceFile>>,
    config: &Config,
    no_ignores: bool,
) -> Vec<Finding> {
    let no_lines = HashMap::new();
    let mut kept: Vec<Finding> = Vec::new();
    for mut finding in findings {
        match config.rule_setting(&finding.code, &finding.name) {
            Some(RuleSetting::Off) if !no_ignores => continue,
            Some(RuleSetting::Severity(s)) => finding.severity = s,
            _ => {}
        }
        if !no_ignores {
            if let Some(loc) = &finding.location {
                let lines = suppressions.comments.get(&loc.path).unwrap_or(&no_lines);
                let by_comment = [loc.line, loc.line.saturating_sub(1)]
                    .iter()
                    .filter_map(|l| lines.get(l))
                    .any(|codes| names(codes, &finding));
                let offset = loc.span.start.offset;
                let by_annotation = suppressions.ranges.iter().any(|r| {
                    r.path == loc.path
                        && r.start <= offset
                        && offset <= r.end
                        && names(&r.codes, &finding)
                });
                let by_path = sources
                    .get(&loc.path)
                    .is_some_and(|f| config.path_ignored(&f.path, &finding.code));
                if by_comment || by_annotation || by_path {
                    continue;
                }
            }
        }
        kept.push(finding);
    }
    kept.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    kept.dedup();
    kept
}
