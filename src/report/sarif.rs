//! `--format sarif`: SARIF 2.1.0 with a small hand-written model (only what we emit).

use std::collections::BTreeMap;
use std::io::Write;

use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};
use serde::Serialize;

use super::{object_label, span_end, Report};
use crate::diagnostics::finding::{Finding, Fix, Location, Severity};
use crate::diagnostics::RuleInfo;
use crate::syntax::yaml::pos_at;

pub const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
pub const INFORMATION_URI: &str = "https://github.com/kubectl-irsa/kubectl-irsa";
/// The key of our entry in `partialFingerprints`.
pub const FINGERPRINT_KEY: &str = "kubectlIrsa/v1";

#[derive(Serialize)]
pub struct Log<'a> {
    #[serde(rename = "$schema")]
    pub schema: &'static str,
    pub version: &'static str,
    pub runs: Vec<Run<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Run<'a> {
    pub tool: Tool,
    /// Our columns count characters (code points), not UTF-16 units.
    pub column_kind: &'static str,
    pub results: Results<'a>,
    /// Lint runs: the coverage summary (`properties.coverage`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub properties: Option<RunProperties<'a>>,
}

#[derive(Serialize)]
pub struct RunProperties<'a> {
    pub coverage: &'a super::coverage::Coverage,
}

/// The results of a report, each built as it is written (a large report is never held twice).
pub struct Results<'a>(&'a Report);

impl Serialize for Results<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.findings.iter().map(|f| result(self.0, f)))
    }
}

#[derive(Serialize)]
pub struct Tool {
    pub driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Driver {
    pub name: &'static str,
    pub version: String,
    pub information_uri: &'static str,
    pub rules: Vec<Rule>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Rule {
    pub id: String,
    pub name: String,
    pub short_description: Text,
    pub full_description: Text,
    pub help_uri: String,
    pub default_configuration: Configuration,
}

#[derive(Serialize)]
pub struct Configuration {
    pub level: &'static str,
}

#[derive(Serialize)]
pub struct Text {
    pub text: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SarifResult {
    pub rule_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule_index: Option<usize>,
    pub level: &'static str,
    pub message: Text,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub locations: Vec<SarifLocation>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related_locations: Vec<SarifLocation>,
    pub partial_fingerprints: BTreeMap<&'static str, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fixes: Vec<SarifFix>,
    /// Fleet runs: `{"context": "<kubeconfig context>"}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub properties: Option<BTreeMap<&'static str, String>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SarifLocation {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<usize>,
    pub physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<Text>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PhysicalLocation {
    pub artifact_location: ArtifactLocation,
    pub region: Region,
}

#[derive(Serialize)]
pub struct ArtifactLocation {
    pub uri: String,
}

#[derive(Serialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Region {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_column: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_column: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub byte_offset: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub byte_length: Option<usize>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SarifFix {
    pub description: Text,
    pub artifact_changes: Vec<ArtifactChange>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ArtifactChange {
    pub artifact_location: ArtifactLocation,
    pub replacements: Vec<SarifReplacement>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SarifReplacement {
    pub deleted_region: Region,
    pub inserted_content: Text,
}

/// SARIF `level` for a severity.
pub fn level(severity: Severity) -> &'static str {
    severity.as_str()
}

/// Characters escaped in a URI path: controls, space and the URI delimiters (non-ASCII is always escaped).
const URI_ESCAPE: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// A display path as a URI: forward slashes, percent-encoded; absolute paths become `file:` URIs.
pub fn path_uri(path: &str) -> String {
    let slashed = path.replace('\\', "/");
    let encoded = utf8_percent_encode(&slashed, URI_ESCAPE).to_string();
    let bytes = slashed.as_bytes();
    if slashed.starts_with('/') {
        format!("file://{encoded}")
    } else if bytes.len() > 2
        && bytes[1] == b':'
        && bytes[2] == b'/'
        && bytes[0].is_ascii_alphabetic()
    {
        format!("file:///{encoded}")
    } else {
        encoded
    }
}

/// 64-bit FNV-1a: tiny, and stable across Rust versions (unlike `DefaultHasher`).
pub fn fnv1a(parts: &[&str]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for (i, part) in parts.iter().enumerate() {
        let sep: &[u8] = if i == 0 { b"" } else { b"\0" };
        for &b in sep.iter().chain(part.as_bytes()) {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    hash
}

fn region(loc: &Location) -> Region {
    let mut r = Region {
        start_line: Some(loc.line.max(1)),
        start_column: Some(loc.column.max(1)),
        ..Region::default()
    };
    if let Some((line, column)) = span_end(loc) {
        r.end_line = Some(line);
        r.end_column = Some(column);
    }
    r
}

fn location(loc: &Location, id: Option<usize>) -> SarifLocation {
    SarifLocation {
        id,
        physical_location: PhysicalLocation {
            artifact_location: ArtifactLocation {
                uri: path_uri(&loc.path),
            },
            region: region(loc),
        },
        message: id.and(loc.message.clone()).map(|text| Text { text }),
    }
}

fn rule(info: &RuleInfo) -> Rule {
    Rule {
        id: info.code.clone(),
        name: info.name.clone(),
        short_description: Text {
            text: info.summary.clone(),
        },
        full_description: Text {
            text: info.doc.trim().to_string(),
        },
        help_uri: info.help_uri.clone(),
        default_configuration: Configuration {
            level: level(info.severity),
        },
    }
}

/// A fix: byte ranges, plus line/column when the file's text is known.
fn fix(report: &Report, fix: &Fix) -> SarifFix {
    // One artifactChange per file, in order of first appearance.
    let mut changes: Vec<ArtifactChange> = Vec::new();
    for rep in &fix.replacements {
        let path = &rep.location.path;
        let mut deleted = Region {
            byte_offset: Some(rep.start),
            byte_length: Some(rep.end.saturating_sub(rep.start)),
            ..Region::default()
        };
        if let Some(src) = report.source(path).filter(|s| s.elided.is_none()) {
            let (a, b) = (pos_at(&src.text, rep.start), pos_at(&src.text, rep.end));
            deleted.start_line = Some(a.line);
            deleted.start_column = Some(a.column);
            deleted.end_line = Some(b.line);
            deleted.end_column = Some(b.column);
        }
        let replacement = SarifReplacement {
            deleted_region: deleted,
            inserted_content: Text {
                text: rep.text.clone(),
            },
        };
        let uri = path_uri(path);
        match changes.iter_mut().find(|c| c.artifact_location.uri == uri) {
            Some(change) => change.replacements.push(replacement),
            None => changes.push(ArtifactChange {
                artifact_location: ArtifactLocation { uri },
                replacements: vec![replacement],
            }),
        }
    }
    SarifFix {
        description: Text {
            text: fix.description.clone(),
        },
        artifact_changes: changes,
    }
}

fn result(report: &Report, f: &Finding) -> SarifResult {
    // Without a location, name the object in the message: viewers show nothing else.
    let text = match (&f.location, &f.object) {
        (None, Some(o)) => format!("{} ({})", f.message, object_label(o)),
        _ => f.message.clone(),
    };
    let anchor = match (&f.location, &f.object) {
        (Some(l), _) => l.path.clone(),
        (None, Some(o)) => object_label(o),
        (None, None) => String::new(),
    };
    // Fleet runs: the context heads the message, and keeps two clusters' findings apart.
    let (text, fingerprint) = match &f.context {
        Some(c) => (
            format!("[{c}] {text}"),
            fnv1a(&[&f.code, &anchor, &f.message, c]),
        ),
        None => (text, fnv1a(&[&f.code, &anchor, &f.message])),
    };
    let fingerprint = format!("{fingerprint:016x}");
    SarifResult {
        rule_id: f.code.clone(),
        rule_index: report.rule_index(&f.code),
        level: level(f.severity),
        message: Text { text },
        locations: f.location.iter().map(|l| location(l, None)).collect(),
        related_locations: (f.related.iter().enumerate())
            .map(|(i, l)| location(l, Some(i)))
            .collect(),
        partial_fingerprints: BTreeMap::from([(FINGERPRINT_KEY, fingerprint)]),
        // A fix with nothing to replace is not a SARIF fix (artifactChanges needs one item).
        fixes: (f.fix.iter())
            .filter(|x| !x.replacements.is_empty())
            .map(|x| fix(report, x))
            .collect(),
        properties: (f.context.clone()).map(|c| BTreeMap::from([("context", c)])),
    }
}

/// The whole SARIF log of a report.
pub fn log(report: &Report) -> Log<'_> {
    Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "kubectl-irsa",
                    version: report.tool_version.to_string(),
                    information_uri: INFORMATION_URI,
                    rules: report.rules.iter().map(rule).collect(),
                },
            },
            column_kind: "unicodeCodePoints",
            results: Results(report),
            properties: report
                .coverage
                .as_ref()
                .map(|coverage| RunProperties { coverage }),
        }],
    }
}

pub fn render(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    super::write_json(&log(report), out)
}
