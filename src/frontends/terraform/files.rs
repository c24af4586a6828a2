//! The files a Terraform run read, by id, with their line indexes (spans are computed on demand).
//! A JSON-syntax file keeps its own text (what findings show and point into) beside the HCL it
//! was lowered to (what the evaluator parsed) and the map between them (`json_syntax`).

use std::cell::RefCell;
use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

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

#[derive(Default)]
pub struct Files {
    inner: RefCell<Vec<Entry>>,
    /// Path → id (a tree has thousands of files: no scan per lookup).
    ids: RefCell<HashMap<PathBuf, FileId>>,
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

    fn insert(&self, file: Arc<SourceFile>, generated: Option<Generated>) -> FileId {
        if let Some(id) = self.ids.borrow().get(&file.path) {
            return *id;
        }
        let mut inner = self.inner.borrow_mut();
        let id = inner.len() as FileId;
        self.ids.borrow_mut().insert(file.path.clone(), id);
        let lines = LineIndex::new(&file.text);
        inner.push(Entry {
            file,
            lines,
            generated,
        });
        id
    }

    pub fn get(&self, id: FileId) -> Arc<SourceFile> {
        self.inner.borrow()[id as usize].file.clone()
    }

    pub fn by_path(&self, path: &Path) -> Option<FileId> {
        self.ids.borrow().get(path).copied()
    }

    pub fn span(&self, id: FileId, range: Option<Range<usize>>) -> Span {
        let inner = self.inner.borrow();
        let e = &inner[id as usize];
        let range = range.unwrap_or(0..0);
        let range = match &e.generated {
            Some(g) => g.map.range(&range),
            None => range,
        };
        e.lines.span(&e.file.text, &range)
    }

    /// The HCL text the evaluator parsed: the file's own, or what its JSON syntax stands for.
    pub fn hcl_text(&self, id: FileId) -> String {
        let inner = self.inner.borrow();
        let e = &inner[id as usize];
        e.generated
            .as_ref()
            .map_or(&e.file.text, |g| &g.text)
            .clone()
    }

    /// The source text of a range (for naming unknown references).
    pub fn text(&self, id: FileId, range: Option<Range<usize>>) -> String {
        let inner = self.inner.borrow();
        let e = &inner[id as usize];
        let text = e.generated.as_ref().map_or(&e.file.text, |g| &g.text);
        range
            .and_then(|r| text.get(r).map(str::to_string))
            .unwrap_or_default()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    }

    pub fn all(&self) -> Vec<Arc<SourceFile>> {
        self.inner.borrow().iter().map(|e| e.file.clone()).collect()
    }

    pub fn paths(&self) -> Vec<PathBuf> {
        self.inner
            .borrow()
            .iter()
            .map(|e| e.file.path.clone())
            .collect()
    }
}
