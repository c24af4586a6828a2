//! Module directories: loading and parsing (once), and paths inside the tree. What references
//! reach across blocks (resources, data sources, module outputs) is in `refs`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};

use hcl_edit::structure::Body;

use super::files::Files;
use super::value::FileId;
use crate::syntax::hcl::HclError;
use crate::syntax::source::{read_text, ReadError, SourceFile};

/// Local modules nested deeper than this are not followed.
pub const MAX_MODULE_DEPTH: usize = 8;

/// One parsed module directory.
pub struct Loaded {
    pub dir: PathBuf,
    pub bodies: Vec<(FileId, Body)>,
}

/// Everything one Terraform run has read. Shared by the threads that lower a root module.
pub struct World {
    pub files: Files,
    /// Canonical directory → its parsed files.
    loaded: Mutex<HashMap<PathBuf, Arc<Loaded>>>,
    /// Files that are not HCL: `(file, message, position)`, once each.
    errors: Mutex<Vec<(FileId, HclError)>>,
    /// What evaluation could not check (cycles, nesting too deep), once each.
    notes: Mutex<Vec<super::lower::Note>>,
    /// Documents used from another file (templates), once each.
    related: Mutex<Vec<super::lower::Related>>,
    pub max_file_size: u64,
    /// The tree nothing is read outside of (canonical).
    pub root: PathBuf,
    /// Files named on the command line: their directory is read as only those files.
    pub explicit: Vec<PathBuf>,
    /// The working directory (canonical), that displayed paths are relative to.
    cwd: OnceLock<Option<PathBuf>>,
}

/// Where an evaluation is: the module directory, its caller chain, its address.
pub struct Ctx<'a> {
    pub world: &'a World,
    pub dir: PathBuf,
    /// Canonical directories of the calling modules (cycle protection).
    pub stack: Vec<PathBuf>,
    /// `module.a.module.b.` for nested modules, empty at the root.
    pub address: String,
    /// The unit directory while a Terragrunt configuration is evaluated (its path functions).
    pub terragrunt: Option<PathBuf>,
}

/// A lock whose holder panicked is used as it is: every write under these locks is one insert.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A file of a module: `.tf`/`.tofu`, or the same in JSON syntax (`.tf.json`/`.tofu.json`).
/// The regular files of `dir` (not its subdirectories) whose name `wanted` accepts.
pub fn files_named(dir: &Path, wanted: fn(&str) -> bool) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| e.path())
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(wanted))
        .collect()
}

pub fn is_terraform_file(name: &str) -> bool {
    let name = name.strip_suffix(".json").unwrap_or(name);
    name.ends_with(".tf") || name.ends_with(".tofu")
}

pub fn is_tfvars_file(name: &str) -> bool {
    let name = name.strip_suffix(".json").unwrap_or(name);
    name == "terraform.tfvars" || name.ends_with(".auto.tfvars")
}

impl World {
    pub fn new(root: PathBuf, max_file_size: u64) -> Self {
        World {
            files: Files::default(),
            loaded: Mutex::default(),
            errors: Mutex::default(),
            notes: Mutex::default(),
            related: Mutex::default(),
            max_file_size,
            root,
            explicit: Vec::new(),
            cwd: OnceLock::new(),
        }
    }

    /// Parse a file into the file table; `None` (with an error recorded) when it is not HCL.
    pub fn parse_file(&self, path: &Path, display: String) -> Option<(FileId, Body)> {
        self.enter(path, display, read_text(path, self.max_file_size), None)
    }

    /// Enter a file as it was read (or failed to be) into the table. `parsed` is its HCL parse
    /// when a worker already did it; otherwise it is parsed here.
    fn enter(
        &self,
        path: &Path,
        display: String,
        read: Result<String, ReadError>,
        parsed: Option<Result<Body, HclError>>,
    ) -> Option<(FileId, Body)> {
        let text = match read {
            Ok(t) => t,
            Err(e) => {
                let id = self.files.add(Arc::new(SourceFile::new(path, display, "")));
                let pos = e.pos.unwrap_or_default();
                self.record(
                    id,
                    HclError {
                        message: e.message,
                        pos,
                    },
                );
                return None;
            }
        };
        let Some(parsed) = parsed else {
            return self.parse_source(SourceFile::new(path, display, text));
        };
        let id = self
            .files
            .add(Arc::new(SourceFile::new(path, display, text)));
        match parsed {
            Ok(body) => Some((id, body)),
            Err(e) => {
                self.record(id, e);
                None
            }
        }
    }

    /// Parse a file that was read (HCL, or JSON syntax by its name) into the file table.
    pub fn parse_source(&self, file: SourceFile) -> Option<(FileId, Body)> {
        if let Some(mode) = super::json_syntax::mode_of(file.file_name()) {
            return super::json_syntax::parse(self, file, mode);
        }
        let id = self.files.add(Arc::new(file));
        match crate::syntax::hcl::parse(&self.files.get(id).text) {
            Ok(body) => Some((id, body)),
            Err(e) => {
                self.record(id, e);
                None
            }
        }
    }

    pub(super) fn record(&self, id: FileId, e: HclError) {
        let mut errors = lock(&self.errors);
        if !errors.iter().any(|(f, _)| *f == id) {
            errors.push((id, e));
        }
    }

    /// Record what evaluation could not check, at a file and span (once per place and message).
    pub fn note(&self, file: FileId, span: crate::syntax::yaml::Span, message: String) {
        let mut notes = lock(&self.notes);
        let known = notes
            .iter()
            .any(|n| n.file == file && n.span == span && n.message == message);
        if !known {
            notes.push(super::lower::Note {
                file,
                span,
                message,
            });
        }
    }

    /// Record that the document at `(file, span)` is used at `(user_file, user)`.
    pub fn relate(
        &self,
        file: FileId,
        span: crate::syntax::yaml::Span,
        user_file: FileId,
        user: crate::syntax::yaml::Span,
        message: String,
    ) {
        let mut related = lock(&self.related);
        let known = related
            .iter()
            .any(|r| r.file == file && r.user_file == user_file && r.user == user);
        if !known {
            related.push(super::lower::Related {
                file,
                span,
                user_file,
                user,
                message,
            });
        }
    }

    pub fn take_related(&self) -> Vec<super::lower::Related> {
        std::mem::take(&mut *lock(&self.related))
    }

    pub fn take_notes(&self) -> Vec<super::lower::Note> {
        std::mem::take(&mut *lock(&self.notes))
    }

    /// The input errors recorded, `(file, message, position)`, in path order (threads may have
    /// entered files in any order).
    pub fn errors(&self) -> Vec<(Arc<SourceFile>, String, crate::syntax::yaml::Pos)> {
        let mut out: Vec<_> = lock(&self.errors)
            .iter()
            .map(|(f, e)| (self.files.get(*f), e.message.clone(), e.pos))
            .collect();
        out.sort_by(|a, b| a.0.path.cmp(&b.0.path));
        out
    }

    /// Use `bodies` as the parsed files of `dir` (text that is not on disk: the fuzz target).
    pub fn insert(&self, dir: &Path, bodies: Vec<(FileId, Body)>) {
        let loaded = Arc::new(Loaded {
            dir: dir.to_path_buf(),
            bodies,
        });
        lock(&self.loaded).insert(dir.to_path_buf(), loaded);
    }

    /// A directory's `.tf`/`.tofu` files, HCL or JSON syntax (not subdirectories), parsed once.
    pub fn load(&self, dir: &Path) -> Arc<Loaded> {
        if let Some(l) = lock(&self.loaded).get(dir) {
            return l.clone();
        }
        let mut names = files_named(dir, is_terraform_file);
        let named: Vec<&PathBuf> = self
            .explicit
            .iter()
            .filter(|e| e.parent() == Some(dir))
            .collect();
        if !named.is_empty() {
            names.retain(|n| named.contains(&n));
        }
        names.sort();
        // Files are read, and HCL ones parsed, in parallel (a module may hold thousands), then
        // entered in name order; JSON-syntax files go through their converter there.
        use rayon::prelude::*;
        let max = self.max_file_size;
        let read: Vec<_> = names
            .par_iter()
            .map(|p| {
                let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
                let text = read_text(p, max);
                let hcl = super::json_syntax::mode_of(name).is_none();
                let parsed = match &text {
                    Ok(t) if hcl => Some(crate::syntax::hcl::parse(t)),
                    _ => None,
                };
                (p, text, parsed)
            })
            .collect();
        let bodies = read
            .into_iter()
            .filter_map(|(p, text, parsed)| self.enter(p, self.display(p), text, parsed))
            .collect();
        let loaded = Arc::new(Loaded {
            dir: dir.to_path_buf(),
            bodies,
        });
        // Two threads may load a directory at once: the first one entered is kept.
        lock(&self.loaded)
            .entry(dir.to_path_buf())
            .or_insert(loaded)
            .clone()
    }

    /// A path as shown: relative to the current directory when it is below it.
    pub fn display(&self, path: &Path) -> String {
        let cwd = self.cwd.get_or_init(|| {
            std::env::current_dir()
                .ok()
                .and_then(|c| c.canonicalize().ok())
        });
        let shown = cwd
            .as_deref()
            .and_then(|c| path.strip_prefix(c).ok())
            .unwrap_or(path);
        shown.to_string_lossy().into_owned()
    }

    /// A path named in the configuration, if it is inside the tree (symlinks resolved first).
    pub fn inside(&self, base: &Path, rel: &str) -> Option<PathBuf> {
        let joined = base.join(rel);
        let canonical = joined.canonicalize().ok()?;
        canonical.starts_with(&self.root).then_some(canonical)
    }
}
