//! The sources of an Application: a Helm chart (a repository or OCI chart, or a chart directory of
//! this tree) becomes a release; a directory or kustomize source becomes a namespace target.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::naming::release_name;
use super::{display_of, not_expanded, not_in_tree, Read};
use crate::diagnostics::finding::ObjectRef;
use crate::facts::release::{ChartSource, HelmRelease, Place, ReleaseOrigin, Setting};
use crate::frontends::gitops::appset::Generated;
use crate::frontends::gitops::in_tree;
use crate::syntax::source::SourceFile;
use crate::syntax::yaml::Node;

/// One Application being lowered.
pub(super) struct Lowering<'a> {
    pub file: &'a Arc<SourceFile>,
    pub app: &'a str,
    pub generated: &'a Generated,
    pub roots: &'a [PathBuf],
    /// The `ref:` names of its sources (`$values/…` value files).
    pub refs: &'a [&'a str],
}

impl Lowering<'_> {
    pub(super) fn source(
        &self,
        source: &Node,
        name_node: &Node,
        namespace: &Setting,
        object: &ObjectRef,
        out: &mut Read,
    ) -> Option<HelmRelease> {
        let (chart, chart_dir) = match self.chart(source, out)? {
            Ok(chart) => chart,
            Err(dir) => {
                out.targets
                    .extend(self.target(source, dir, name_node, namespace, object));
                return None;
            }
        };
        let helm = source.get("helm");
        let release_name = release_name(self, helm, name_node);
        let values = self.values(helm, chart_dir.as_deref(), out)?;
        Some(HelmRelease {
            origin: ReleaseOrigin {
                place: Place::new(self.file, name_node.span),
                object: object.clone(),
                frontend: "argocd",
            },
            release_name,
            namespace: namespace.clone(),
            chart,
            values: values.layers,
            set: values.set,
            unknown_values: values.unknown,
        })
    }

    /// The chart of a Helm source, with its directory when it is in the tree; a directory of the
    /// tree that is not a chart; `None` for a source this run cannot read (which is said).
    #[allow(clippy::type_complexity)]
    pub(super) fn chart(
        &self,
        source: &Node,
        out: &mut Read,
    ) -> Option<Result<(ChartSource, Option<PathBuf>), PathBuf>> {
        if let Some(chart_node) = source.get("chart") {
            let chart = chart_node.as_str()?;
            let repo = source.str_at(&["repoURL"]).map(str::to_string);
            let name = chart.rsplit('/').next().unwrap_or(chart).to_string();
            let remote = ChartSource::Remote {
                repo,
                name,
                version: source.str_at(&["targetRevision"]).map(str::to_string),
                place: Some(Place::new(self.file, chart_node.span)),
            };
            return Some(Ok((remote, None)));
        }
        let path_node = source.get("path")?;
        let path = path_node.as_str()?;
        if path.contains("{{") {
            let message = format!("Argo CD Application `{}`: source path `{path}` is a template that could not be expanded offline; not linted", self.app);
            not_expanded(out, self.file, path_node.span, message);
            return None;
        }
        let found = in_tree(self.file, path, self.roots, &|d: &Path| d.is_dir());
        match found {
            Some(dir) if dir.join("Chart.yaml").is_file() => {
                let display = display_of(&dir);
                let local = ChartSource::Local {
                    dir: dir.clone(),
                    display,
                };
                Some(Ok((local, Some(dir))))
            }
            Some(dir) => Some(Err(dir)),
            None => {
                let message = format!("Argo CD Application `{}`: source path `{path}` is not a directory of the linted tree; not linted", self.app);
                not_in_tree(out, self.file, path_node.span, message);
                None
            }
        }
    }
}
