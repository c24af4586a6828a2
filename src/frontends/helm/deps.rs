//! A second chance for charts whose subcharts are not vendored: render a copy of the chart with
//! its `dependencies` removed, so the chart's own templates are still checked.

use std::path::{Path, PathBuf};

use crate::syntax::yaml;

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

/// Copy `chart` (directories, and regular files hard-linked where possible; symlinks are not
/// followed) and cut the `dependencies:` entry out of the copy's Chart.yaml. `None` when there is
/// nothing to strip.
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
    // The copy's Chart.yaml is a hard link to the user's: unlink it before writing a new one.
    let chart_yaml = target.join("Chart.yaml");
    std::fs::remove_file(&chart_yaml).ok()?;
    std::fs::write(chart_yaml, stripped).ok()?;
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
            // A hard link costs no data copy (charts have hundreds of templates); helm only
            // reads them. Across filesystems, or when linking is refused, copy.
            if std::fs::hard_link(entry.path(), &dest).is_err() {
                std::fs::copy(entry.path(), dest)?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_users_chart_is_never_written_through_the_links() {
        let dir = tempfile::tempdir().unwrap();
        let chart = dir.path().join("app");
        std::fs::create_dir_all(chart.join("templates")).unwrap();
        let chart_yaml = "apiVersion: v2\nname: app\nversion: 1.0.0\ndependencies:\n  - name: lib\n    version: 0.1.0\n    repository: file://../lib\n";
        std::fs::write(chart.join("Chart.yaml"), chart_yaml).unwrap();
        std::fs::write(chart.join("Chart.lock"), "dependencies: []\n").unwrap();
        std::fs::write(chart.join("templates/sa.yaml"), "kind: ServiceAccount\n").unwrap();

        let stripped = strip_dependencies(&chart).unwrap();
        assert_eq!(stripped.removed, vec!["lib".to_string()]);
        let copy = std::fs::read_to_string(stripped.dir.join("Chart.yaml")).unwrap();
        assert!(
            !copy.contains("dependencies") && copy.contains("name: app"),
            "{copy}"
        );
        assert!(!stripped.dir.join("Chart.lock").exists());
        assert_eq!(
            std::fs::read_to_string(stripped.dir.join("templates/sa.yaml")).unwrap(),
            "kind: ServiceAccount\n"
        );
        // The originals are as they were.
        assert_eq!(
            std::fs::read_to_string(chart.join("Chart.yaml")).unwrap(),
            chart_yaml
        );
        assert!(chart.join("Chart.lock").exists());
        let root = stripped.root.clone();
        drop(stripped);
        assert!(!root.exists());
        assert!(chart.join("templates/sa.yaml").exists());
    }
}
