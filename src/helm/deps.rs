//! A second chance for charts whose subcharts are not vendored: render a copy of the chart with
//! its `dependencies` removed, so the chart's own templates are still checked.

use std::path::{Path, PathBuf};

use crate::input::yaml;

/// helm's complaint about subcharts that `helm dependency build` would fetch.
pub fn is_missing_dependencies(stderr: &str) -> bool {
    stderr.contains("helm dependency build") || stderr.contains("missing in charts/ directory")
}

/// A temporary copy of a chart, removed on drop.
pub struct StrippedChart {
    /// The temporary directory, removed on drop.
    root: PathBuf,
    /// The chart copy to render.
    pub dir: PathBuf,
    /// Names of the dependencies that were cut.
    pub removed: Vec<String>,
}

impl Drop for StrippedChart {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// Copy `chart` (regular files and directories only; symlinks are not followed) and cut the
/// `dependencies:` entry out of the copy's Chart.yaml. `None` when there is nothing to strip.
pub fn strip_dependencies(chart: &Path) -> Option<StrippedChart> {
    let text = std::fs::read_to_string(chart.join("Chart.yaml")).ok()?;
    let stream = yaml::parse(&text);
    let root = stream.documents.first().map(|d| &d.root)?;
    let entry = root.entry("dependencies")?;
    let removed: Vec<String> = entry
        .value
        .as_seq()
        .unwrap_or_default()
        .iter()
        .filter_map(|d| d.str_at(&["name"]).map(str::to_string))
        .collect();
    let unique = format!(
        "kubectl-irsa-chart-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
    );
    let name = chart
        .file_name()
        .map_or_else(|| "chart".into(), |n| n.to_os_string());
    let root = std::env::temp_dir().join(unique);
    let target = root.join(name);
    let copy = StrippedChart {
        root,
        dir: target.clone(),
        removed,
    };
    copy_tree(chart, &target).ok()?;
    let mut stripped = text.clone();
    stripped.replace_range(entry.key.span.start.offset..entry.value.span.end.offset, "");
    std::fs::write(target.join("Chart.yaml"), stripped).ok()?;
    let _ = std::fs::remove_file(target.join("Chart.lock"));
    Some(copy)
}

fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        let dest = to.join(entry.file_name());
        if kind.is_dir() {
            copy_tree(&entry.path(), &dest)?;
        } else if kind.is_file() {
            std::fs::copy(entry.path(), dest)?;
        }
    }
    Ok(())
}
