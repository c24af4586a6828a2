//! Declarative rule packs: YAML files that teach the linter what a chart's values keys mean
//! and which checks apply to them. Built-in packs live in `rules/`; `--rules DIR` adds more.

pub mod eval;
pub mod formats;
pub mod model;
pub mod values;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use crate::declare_rule;
use crate::diagnostics::finding::{Finding, Location, Severity};
use crate::diagnostics::{RuleInfo, RuleMeta};
use crate::facts::Workspace;
use crate::rules::Rule;
use crate::syntax::schema;
use crate::syntax::source::{io_message, read_text, SourceFile, DEFAULT_MAX_FILE_SIZE};
use crate::syntax::yaml::{self, Span};

pub use model::{Pack, PackRule};

pub const PACK_SCHEMA: &str = include_str!("../../../rules/rules.schema.json");

/// The built-in packs: (path in the repository, text). The one list of them.
pub const BUILTIN_PACKS: &[(&str, &str)] = &[
    (
        "rules/kuberocketci.yaml",
        include_str!("../../../rules/kuberocketci.yaml"),
    ),
    (
        "rules/epinio.yaml",
        include_str!("../../../rules/epinio.yaml"),
    ),
    ("rules/ack.yaml", include_str!("../../../rules/ack.yaml")),
    (
        "rules/eks-anywhere-credential-provider.yaml",
        include_str!("../../../rules/eks-anywhere-credential-provider.yaml"),
    ),
    (
        "rules/generic-serviceaccount.yaml",
        include_str!("../../../rules/generic-serviceaccount.yaml"),
    ),
];

declare_rule! {
    /// A rule pack (built-in or `--rules DIR`) is broken, so its rules did not run.
    ///
    /// ## What it checks
    /// Each pack is parsed as YAML and validated against `rules/rules.schema.json`; key paths,
    /// chart globs and regex patterns are compiled, and rule ids must be unique and must not use
    /// the reserved `IRSA` prefix. Each problem points at the offending line of the pack.
    ///
    /// ## Why it matters
    /// A pack that silently failed to load would report "clean" for charts it never checked.
    ///
    /// ## Example
    /// ```yaml
    /// rules:
    ///   - id: KACK001
    ///     severity: fatal     # not note, warning or error
    /// ```
    pub struct RulePackError => ("IRSA018", "rule-pack-error", Severity::Error);
}

impl Rule for RulePackError {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    /// Reported while loading packs.
    fn check(&self, _ws: &Workspace, _out: &mut Vec<Finding>) {}
}

/// Every loaded pack, and the diagnostics loading produced.
pub struct PackSet {
    pub packs: Vec<Pack>,
    pub diagnostics: Vec<Finding>,
    /// Pack files (for showing related locations).
    pub files: Vec<Arc<SourceFile>>,
}

impl PackSet {
    /// Built-in packs, then the `.yaml`/`.yml` files of each directory (a user pack with the same
    /// `pack:` name replaces the built-in one).
    pub fn load(rule_dirs: &[PathBuf]) -> PackSet {
        let mut set = PackSet {
            packs: Vec::new(),
            diagnostics: Vec::new(),
            files: Vec::new(),
        };
        for (path, text) in BUILTIN_PACKS {
            let file = SourceFile::new(*path, format!("built-in:{path}"), *text);
            set.add(Arc::new(file));
        }
        for dir in rule_dirs {
            for path in pack_files(dir, &mut set.diagnostics) {
                let display = path.to_string_lossy().to_string();
                match read_text(&path, DEFAULT_MAX_FILE_SIZE) {
                    Ok(text) => set.add(Arc::new(SourceFile::new(&path, display, text))),
                    Err(e) => {
                        let file = SourceFile::new(&path, display, "");
                        set.error(&file, e.message, Span::default().with_start_line());
                    }
                }
            }
        }
        set
    }

    fn error(&mut self, file: &SourceFile, message: impl Into<String>, span: Span) {
        let message = format!("rule pack: {}", message.into());
        self.diagnostics
            .push(Finding::new(&RulePackError::META, message).at(Location::new(file, span)));
    }

    fn add(&mut self, file: Arc<SourceFile>) {
        self.files.push(file.clone());
        let stream = yaml::parse(&file.text);
        if let Some(err) = &stream.error {
            let span = Span {
                start: err.pos,
                end: err.pos,
            };
            return self.error(&file, format!("invalid YAML: {}", err.message), span);
        }
        let Some(root) = stream.documents.first().map(|d| &d.root) else {
            return self.error(&file, "empty file", Span::default().with_start_line());
        };
        static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
        let validator = VALIDATOR.get_or_init(|| schema::compile(PACK_SCHEMA));
        let errors = schema::validate(validator, root);
        if !errors.is_empty() {
            for e in errors {
                self.error(&file, e.message, e.span);
            }
            return;
        }
        let mut errors = Vec::new();
        let mut pack = model::read_pack(&file, root, &mut errors);
        for e in errors {
            self.error(&file, e.message, e.span);
        }
        self.packs.retain(|p| p.name != pack.name);
        let mut seen: BTreeSet<String> = self
            .packs
            .iter()
            .flat_map(|p| p.rules.iter().map(|r| r.id.clone()))
            .collect();
        let mut rules = Vec::new();
        for rule in std::mem::take(&mut pack.rules) {
            if rule.id.starts_with("IRSA") {
                self.error(
                    &file,
                    format!(
                        "rule id `{}`: the IRSA prefix is reserved for built-in rules",
                        rule.id
                    ),
                    rule.span,
                );
            } else if !seen.insert(rule.id.clone()) {
                self.error(&file, format!("duplicate rule id `{}`", rule.id), rule.span);
            } else {
                rules.push(rule);
            }
        }
        pack.rules = rules;
        self.packs.push(pack);
    }

    /// Run every pack over the charts of the workspace.
    pub fn check(&self, ws: &Workspace) -> Vec<Finding> {
        let mut out = self.diagnostics.clone();
        for chart in &ws.charts {
            let applies = |p: &&Pack| {
                model::chart_matches(&p.charts, &chart.name)
                    && p.values_keys
                        .iter()
                        .all(|k| values::present(chart, &k.path))
            };
            let specific = self
                .packs
                .iter()
                .filter(|p| !p.fallback)
                .any(|p| applies(&p));
            for pack in self.packs.iter().filter(applies) {
                if pack.fallback && specific {
                    continue;
                }
                let eval = eval::Eval { ws, chart, pack };
                for rule in &pack.rules {
                    eval.run(rule, &mut out);
                }
            }
        }
        out
    }

    /// How pack rules are listed by `kubectl irsa rules` and declared in SARIF.
    pub fn rule_infos(&self) -> Vec<RuleInfo> {
        let mut out = Vec::new();
        for pack in &self.packs {
            let source = if pack.file.display.starts_with("built-in:") {
                format!("built-in pack {}", pack.file.path.display())
            } else {
                pack.file.display.clone()
            };
            for rule in &pack.rules {
                let summary = rule.help.clone().unwrap_or_else(|| rule.message.clone());
                let summary = summary.lines().next().unwrap_or_default().to_string();
                let mut doc = format!("{summary}\n\nPack `{}`: {}\n", pack.name, pack.description);
                if let Some(key) = &rule.key {
                    doc.push_str(&format!("\nValues key: `{}`\n", key.text));
                }
                doc.push_str(&format!("\nMessage: {}\n", rule.message));
                out.push(RuleInfo {
                    code: rule.id.clone(),
                    name: rule.name.clone(),
                    severity: rule.severity,
                    summary,
                    doc,
                    help_uri: rule.url.clone().unwrap_or_else(|| {
                        format!(
                            "{}#{}",
                            crate::diagnostics::DOCS_BASE,
                            rule.id.to_lowercase()
                        )
                    }),
                    source: source.clone(),
                });
            }
        }
        out
    }
}

/// `DIR/*.yaml` and `*.yml` in name order; a file path is taken as one pack.
fn pack_files(dir: &Path, diagnostics: &mut Vec<Finding>) -> Vec<PathBuf> {
    if dir.is_file() {
        return vec![dir.to_path_buf()];
    }
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            let file = SourceFile::new(dir, dir.to_string_lossy(), "");
            diagnostics.push(
                Finding::new(
                    &RulePackError::META,
                    format!("rule directory: {}", io_message(&e)),
                )
                .at(Location::file(&file)),
            );
            return Vec::new();
        }
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.is_file()
                && p.extension().is_some_and(|x| x == "yaml" || x == "yml")
                && !p.to_string_lossy().ends_with(".schema.json")
        })
        .collect();
    files.sort();
    files
}
