//! Baselines: record today's findings so a legacy repo can adopt the gate and fail only on new ones.
//!
//! A finding is identified by code, path, object and message — not by line, so edits above it do
//! not make it "new". Each entry counts occurrences, so a second identical finding is new.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::diagnostics::finding::Finding;

#[derive(Debug, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord, Clone)]
struct Key {
    code: String,
    path: Option<String>,
    object: Option<String>,
    message: String,
}

impl Key {
    fn of(f: &Finding) -> Key {
        Key {
            code: f.code.clone(),
            path: f.location.as_ref().map(|l| l.path.clone()),
            object: f.object.as_ref().map(|o| {
                format!(
                    "{}/{}/{}",
                    o.kind,
                    o.namespace.as_deref().unwrap_or(""),
                    o.name
                )
            }),
            message: f.message.clone(),
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Entry {
    #[serde(flatten)]
    key: Key,
    count: usize,
}

#[derive(Debug, Serialize, Deserialize)]
struct File {
    version: u32,
    findings: Vec<Entry>,
}

pub struct Baseline {
    counts: BTreeMap<Key, usize>,
}

impl Baseline {
    /// Findings beyond what the baseline recorded.
    pub fn new_findings(mut self, findings: Vec<Finding>) -> Vec<Finding> {
        findings
            .into_iter()
            .filter(|f| match self.counts.get_mut(&Key::of(f)) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    false
                }
                _ => true,
            })
            .collect()
    }
}

pub fn read(path: &Path) -> std::io::Result<Baseline> {
    let text = std::fs::read_to_string(path)?;
    let file: File = serde_json::from_str(&text)
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
    Ok(Baseline {
        counts: file
            .findings
            .into_iter()
            .map(|e| (e.key, e.count))
            .collect(),
    })
}

pub fn write(path: &Path, findings: &[Finding]) -> std::io::Result<usize> {
    let mut counts: BTreeMap<Key, usize> = BTreeMap::new();
    for f in findings {
        *counts.entry(Key::of(f)).or_default() += 1;
    }
    let file = File {
        version: 1,
        findings: counts
            .into_iter()
            .map(|(key, count)| Entry { key, count })
            .collect(),
    };
    let mut text = serde_json::to_string_pretty(&file).map_err(std::io::Error::other)?;
    text.push('\n');
    std::fs::write(path, text)?;
    Ok(findings.len())
}
