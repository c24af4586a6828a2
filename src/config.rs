//! `.irsa.yaml`: rule switches, severity overrides, path ignores and role pairing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use globset::{Glob, GlobSet, GlobSetBuilder};

use crate::diagnostics::finding::Severity;
use crate::syntax::schema;
use crate::syntax::source::{read_text, SourceFile, DEFAULT_MAX_FILE_SIZE};
use crate::syntax::yaml::{self, Node, Span};

pub const CONFIG_FILE: &str = ".irsa.yaml";
pub const CONFIG_SCHEMA: &str = include_str!("../schemas/irsa-config.schema.json");

/// One problem in `.irsa.yaml`.
#[derive(Debug, Clone)]
pub struct ConfigError {
    pub message: String,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RuleSetting {
    Off,
    Severity(Severity),
}

struct PathIgnore {
    rules: Vec<String>,
}

#[derive(Default)]
pub struct Config {
    /// The file it came from, for diagnostics.
    pub file: Option<Arc<SourceFile>>,
    pub errors: Vec<ConfigError>,
    /// Keyed by rule code or name.
    pub rules: BTreeMap<String, RuleSetting>,
    ignore_globs: Option<GlobSet>,
    ignores: Vec<PathIgnore>,
    /// Role name → trust-policy file (resolved against the config's directory).
    pub roles: BTreeMap<String, PathBuf>,
    base_dir: PathBuf,
}

impl Config {
    /// Find `.irsa.yaml` in `start` or any parent, and load it.
    pub fn discover(start: &Path) -> Config {
        let start = start.canonicalize().unwrap_or_else(|_| start.to_path_buf());
        for dir in start.ancestors() {
            let candidate = dir.join(CONFIG_FILE);
            if candidate.is_file() {
                return Config::load(&candidate);
            }
        }
        Config::default()
    }

    pub fn load(path: &Path) -> Config {
        let display = path.to_string_lossy().to_string();
        let text = match read_text(path, DEFAULT_MAX_FILE_SIZE) {
            Ok(t) => t,
            Err(e) => {
                let file = Arc::new(SourceFile::new(path, display, ""));
                return Config {
                    file: Some(file),
                    errors: vec![ConfigError {
                        message: e.message,
                        span: Span::default().with_start_line(),
                    }],
                    ..Config::default()
                };
            }
        };
        let file = Arc::new(SourceFile::new(path, display, text));
        let base_dir = path.parent().unwrap_or(Path::new(".")).to_path_buf();
        let mut config = Config {
            file: Some(file.clone()),
            base_dir,
            ..Config::default()
        };
        let stream = yaml::parse(&file.text);
        if let Some(err) = stream.error {
            config.errors.push(ConfigError {
                message: format!("invalid YAML: {}", err.message),
                span: Span {
                    start: err.pos,
                    end: err.pos,
                },
            });
            return config;
        }
        let Some(root) = stream.documents.first().map(|d| &d.root) else {
            return config;
        };
        if root.is_null() {
            return config;
        }
        static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
        let validator = VALIDATOR.get_or_init(|| schema::compile(CONFIG_SCHEMA));
        let errors = schema::validate(validator, root);
        if !errors.is_empty() {
            config.errors = errors
                .into_iter()
                .map(|e| ConfigError {
                    message: e.message,
                    span: e.span,
                })
                .collect();
            return config;
        }
        config.read(root);
        config
    }

    fn read(&mut self, root: &Node) {
        for entry in root.get("rules").and_then(Node::as_map).unwrap_or_default() {
            let Some(code) = entry.key.as_str() else {
                continue;
            };
            let value = &entry.value;
            let setting = if let Some(s) = value.as_str() {
                parse_setting(s)
            } else if value.get("enabled").and_then(Node::as_bool) == Some(false) {
                Some(RuleSetting::Off)
            } else {
                value.str_at(&["severity"]).and_then(parse_setting)
            };
            if let Some(setting) = setting {
                self.rules.insert(code.to_string(), setting);
            }
        }
        let mut globs = GlobSetBuilder::new();
        for item in root
            .get("ignore")
            .and_then(Node::as_seq)
            .unwrap_or_default()
        {
            let (pattern, rules) = match item.as_str() {
                Some(p) => (p, Vec::new()),
                None => (
                    item.str_at(&["path"]).unwrap_or_default(),
                    item.get("rules")
                        .and_then(Node::as_seq)
                        .unwrap_or_default()
                        .iter()
                        .filter_map(|r| r.as_str().map(str::to_string))
                        .collect(),
                ),
            };
            match Glob::new(pattern) {
                Ok(glob) => {
                    globs.add(glob);
                    self.ignores.push(PathIgnore { rules });
                }
                Err(e) => self.errors.push(ConfigError {
                    message: format!("invalid glob `{pattern}`: {e}"),
                    span: item.span,
                }),
            }
        }
        self.ignore_globs = globs.build().ok();
        for entry in root.get("roles").and_then(Node::as_map).unwrap_or_default() {
            if let (Some(role), Some(path)) = (entry.key.as_str(), entry.value.as_str()) {
                let role = role.rsplit('/').next().unwrap_or(role).to_string();
                self.roles.insert(role, self.base_dir.join(path));
            }
        }
    }

    /// The setting for a rule, by code or name.
    pub fn rule_setting(&self, code: &str, name: &str) -> Option<RuleSetting> {
        self.rules
            .get(code)
            .or_else(|| self.rules.get(name))
            .copied()
    }

    /// Is a finding of `code` in `path` ignored by a path rule?
    pub fn path_ignored(&self, path: &Path, code: &str) -> bool {
        let Some(globs) = &self.ignore_globs else {
            return false;
        };
        let relative = path
            .canonicalize()
            .ok()
            .and_then(|p| {
                let base = self.base_dir.canonicalize().ok()?;
                p.strip_prefix(base).ok().map(Path::to_path_buf)
            })
            .unwrap_or_else(|| path.to_path_buf());
        globs.matches(&relative).into_iter().any(|i| {
            let rules = &self.ignores[i].rules;
            rules.is_empty() || rules.iter().any(|r| r == code)
        })
    }

    /// The role a trust-policy file is mapped to in `roles:`.
    pub fn role_for_file(&self, path: &Path) -> Option<&str> {
        if self.roles.is_empty() {
            return None;
        }
        let canonical = path.canonicalize().ok()?;
        self.roles
            .iter()
            .find(|(_, p)| p.canonicalize().ok().as_deref() == Some(canonical.as_path()))
            .map(|(r, _)| r.as_str())
    }
}

fn parse_setting(s: &str) -> Option<RuleSetting> {
    match s {
        "off" => Some(RuleSetting::Off),
        "note" => Some(RuleSetting::Severity(Severity::Note)),
        "warning" => Some(RuleSetting::Severity(Severity::Warning)),
        "error" => Some(RuleSetting::Severity(Severity::Error)),
        _ => None,
    }
}
