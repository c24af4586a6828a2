//! The files a Terraform run read, by id, with their line indexes (spans are computed on demand).
//! A JSON-syntax file keeps its own text (what findings show and point into) beside the HCL it
//! was lowered to (what the evaluator parsed) and the map between them (`json_syntax`).

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard};

use super::json_syntax::Generated;
use super::value::FileId;
use crate::syntax::hcl::LineIndex;
use crate::syntax::source::SourceFile;
use crate::syntax::yaml::Span;

struct Entry {
    file: Arc<SourceFile>,
    lines: LineIndex,
    generated: Option<Generated>,
}

impl Entry {
    fn span(&self, range: Option<Range<usize>>) -> Span {
        let range = range.unwrap_or(0..0);
        let range = match &self.generated {
            Some(g) => g.map.range(&range),
            None => range,
        };
        self.lines.span(&self.file.text, &range)
    }
}

/// One file of the table, read without its lock: an evaluator keeps the handles of the files
/// it reads (`Eval::span`), as threads lowering one module would otherwise contend for it.
#[derive(Clone)]
pub struct FileHandle(Arc<Entry>);

impl FileHandle {
    pub fn span(&self, range: Option<Range<usize>>) -> Span {
        self.0.span(range)
    }
}

/// Shared by the threads that lower one root module's blocks (`lower_root`).
#[derive(Default)]
pub struct Files {
    table: RwLock<Table>,
}

#[derive(Default)]
struct Table {
    entries: Vec<Arc<Entry>>,
    /// Path → id (a tree has thousands of files: no scan per lookup).
    ids: HashMap<PathBuf, FileId>,
}

impl Files {
    pub fn add(&self, file: Arc<SourceFile>) -> FileId {
        self.insert(file, None)
    }

    /// A JSON-syntax file, with the HCL it stands for: ranges given to [`Files::span`] are
    /// ranges of that HCL, mapped back into the file.
    pub fn add_generated(&self, file: Arc<SourceFile>, generated: Generated) -> FileId {
        self.insert(file, Some(generated))
    }

    /// A panic elsewhere never leaves the table half-written (every write is one push), so a
    /// poisoned lock is read as it is.
    fn read(&self) -> RwLockReadGuard<'_, Table> {
        self.table.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn insert(&self, file: Arc<SourceFile>, generated: Option<Generated>) -> FileId {
        if let Some(id) = self.read().ids.get(&file.path) {
            return *id;
        }
        let lines = LineIndex::new(&file.text);
        let mut table = self.table.write().unwrap_or_else(PoisonError::into_inner);
        // Another thread may have entered the same file meanwhile.
        if let Some(id) = table.ids.get(&file.path) {
            return *id;
        }
        let id = table.entries.len() as FileId;
        table.ids.insert(file.path.clone(), id);
        table.entries.push(Arc::new(Entry {
            file,
            lines,
            generated,
        }));
        id
    }

    pub fn get(&self, id: FileId) -> Arc<SourceFile> {
        self.read().entries[id as usize].file.clone()
    }

    pub fn by_path(&self, path: &Path) -> Option<FileId> {
        self.read().ids.get(path).copied()
    }

    pub fn span(&self, id: FileId, range: Option<Range<usize>>) -> Span {
        self.read().entries[id as usize].span(range)
    }

    pub fn handle(&self, id: FileId) -> FileHandle {
        FileHandle(self.read().entries[id as usize].clone())
    }

    /// The HCL text the evaluator parsed: the file's own, or what its JSON syntax stands for.
    pub fn hcl_text(&self, id: FileId) -> String {
        let table = self.read();
        let e = &table.entries[id as usize];
        e.generated
            .as_ref()
            .map_or(&e.file.text, |g| &g.text)
            .clone()
    }

    /// The source text of a range (for naming unknown references).
    pub fn text(&self, id: FileId, range: Option<Range<usize>>) -> String {
        let table = self.read();
        let e = &table.entries[id as usize];
        let text = e.generated.as_ref().map_or(&e.file.text, |g| &g.text);
        range
            .and_then(|r| text.get(r).map(str::to_string))
            .unwrap_or_default()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    }

    pub fn all(&self) -> Vec<Arc<SourceFile>> {
        self.read().entries.iter().map(|e| e.file.clone()).collect()
    }

    pub fn paths(&self) -> Vec<PathBuf> {
        self.read()
            .entries
            .iter()
            .map(|e| e.file.path.clone())
            .collect()
    }
}
