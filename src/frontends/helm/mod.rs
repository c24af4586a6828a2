//! Helm charts: render with the user's helm, map renders back to templates and values keys,
//! and fall back to static analysis of values when a chart cannot render.

pub mod deps;
pub mod overlays;
pub mod render;
pub mod trace;
pub mod umbrella;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use crate::diagnostics::finding::{Finding, Location};
use crate::diagnostics::input::{input_finding, ChartNotRendered};
use crate::facts::Classified;
use crate::facts::{ChartInput, RenderContext};
use crate::frontends::manifest::classify_node;
use crate::syntax::source::{read_text, SourceFile, DEFAULT_MAX_FILE_SIZE};
use crate::syntax::yaml::{self, Node, Span};

/// Helm-like flags, as `helm template` takes them.
#[derive(Debug, Clone)]
pub struct HelmOptions {
    pub helm_bin: Option<PathBuf>,
    pub release_name: Option<String>,
    pub namespace: Option<String>,
    pub values: Vec<PathBuf>,
    pub set: Vec<String>,
    pub set_string: Vec<String>,
    pub kube_version: Option<String>,
    pub api_versions: Vec<String>,
    pub timeout: Duration,
    /// Skip rendering (static analysis only).
    pub no_render: bool,
    /// The release object rendering this chart, for messages (see `RenderContext::declared_by`).
    pub declared_by: Option<String>,
    /// Where that release object is.
    pub declared_at: Option<crate::facts::release::Place>,
}

impl Default for HelmOptions {
    fn default() -> Self {
        HelmOptions {
            helm_bin: None,
            release_name: None,
            namespace: None,
            values: Vec::new(),
            set: Vec::new(),
            set_string: Vec::new(),
            kube_version: None,
            api_versions: Vec::new(),
            timeout: Duration::from_secs(30),
            no_render: false,
            declared_by: None,
            declared_at: None,
        }
    }
}

/// What linting one chart produced.
pub struct ChartLint {
    pub input: ChartInput,
    pub findings: Vec<Finding>,
    pub rendered: Vec<(Arc<SourceFile>, Classified)>,
    pub files: Vec<Arc<SourceFile>>,
}

fn load(
    path: &Path,
    display: String,
    findings: &mut Vec<Finding>,
) -> Option<(Arc<SourceFile>, Node)> {
    let text = match read_text(path, DEFAULT_MAX_FILE_SIZE) {
        Ok(t) => t,
        Err(e) => {
            let file = Arc::new(SourceFile::new(path, display, ""));
            findings.push(input_finding(&file, &e.message, e.pos));
            return None;
        }
    };
    let file = Arc::new(SourceFile::new(path, display, text));
    let stream = yaml::parse(&file.text);
    if let Some(err) = &stream.error {
        findings.push(input_finding(
            &file,
            &format!("invalid YAML: {}", err.message),
            Some(err.pos),
        ));
    }
    let root = stream
        .documents
        .into_iter()
        .next()
        .map(|d| d.root)
        .unwrap_or(Node {
            kind: yaml::NodeKind::Map(Vec::new()),
            span: Span::default(),
        });
    Some((file, root))
}

/// Render and classify one chart, or fall back to its values.
pub fn lint_chart(dir: &Path, display: &str, opts: &HelmOptions) -> ChartLint {
    lint_chart_with(dir, display, opts, None)
}

/// As [`lint_chart`]; `layers`, when given, are the user's values sources (spans into the user's
/// files) that findings trace back to, instead of the `-f` files helm is given (`opts.values`,
/// then temporary copies of those layers).
pub fn lint_chart_with(
    dir: &Path,
    display: &str,
    opts: &HelmOptions,
    layers: Option<Vec<(Arc<SourceFile>, Node)>>,
) -> ChartLint {
    let mut findings = Vec::new();
    let chart_yaml = load(
        &dir.join("Chart.yaml"),
        format!("{display}/Chart.yaml"),
        &mut findings,
    );
    let name = chart_yaml
        .as_ref()
        .and_then(|(_, root)| root.str_at(&["name"]).map(str::to_string))
        .unwrap_or_else(|| {
            dir.file_name()
                .map_or("chart".into(), |n| n.to_string_lossy().to_string())
        });
    let mut values = Vec::new();
    if dir.join("values.yaml").is_file() {
        values.extend(load(
            &dir.join("values.yaml"),
            format!("{display}/values.yaml"),
            &mut findings,
        ));
    }
    match layers {
        Some(layers) => values.extend(layers),
        None => {
            for v in &opts.values {
                values.extend(load(v, v.to_string_lossy().to_string(), &mut findings));
            }
        }
    }
    let release = opts.release_name.clone().unwrap_or_else(|| name.clone());
    let mut set_args = opts.set.clone();
    set_args.extend(opts.set_string.iter().cloned());
    let context = Arc::new(RenderContext {
        chart_name: name.clone(),
        chart_dir: dir.to_path_buf(),
        chart_display: display.to_string(),
        release_name: release.clone(),
        namespace: opts.namespace.clone().unwrap_or_else(|| "default".into()),
        values_files: values.iter().map(|(f, _)| f.clone()).collect(),
        set_args,
        declared_by: opts.declared_by.clone(),
        declared_at: opts.declared_at.clone(),
    });
    let mut files: Vec<Arc<SourceFile>> = values.iter().map(|(f, _)| f.clone()).collect();
    files.extend(chart_yaml.map(|(f, _)| f));
    let mut rendered = Vec::new();
    let outcome = if opts.no_render {
        Err(render::RenderError::NoHelm(
            "rendering disabled by --no-render".into(),
        ))
    } else {
        render::render(dir, &release, opts)
    };
    let mut partial: Option<Vec<String>> = None;
    let outcome = match outcome {
        Err(render::RenderError::Failed(stderr)) if deps::is_missing_dependencies(&stderr) => {
            match deps::strip_dependencies(dir) {
                Some(copy) => match render::render(&copy.dir, &release, opts) {
                    Ok(text) => {
                        partial = Some(copy.removed.clone());
                        Ok(text)
                    }
                    Err(_) => Err(render::RenderError::Failed(stderr)),
                },
                None => Err(render::RenderError::Failed(stderr)),
            }
        }
        other => other,
    };
    let ok = outcome.is_ok();
    let first_file = files
        .first()
        .cloned()
        .unwrap_or_else(|| Arc::new(SourceFile::new(dir, display, "")));
    match outcome {
        Ok(text) => rendered = split_render(&text, &context),
        Err(e) => {
            findings.push(
                Finding::new(&ChartNotRendered::META, format!("chart `{name}` was not rendered: {e}"))
                    .at(Location::file(&first_file))
                    .help("only values.yaml and the rule packs were checked; pass the values the chart requires, run `helm dependency build`, or install helm 3"),
            );
        }
    }
    if let Some(removed) = partial {
        findings.push(
            Finding::new(
                &ChartNotRendered::META,
                format!(
                    "chart `{name}` was rendered without its subcharts ({}), which are not in charts/: their service accounts were not checked (except from the chart pack of a dependency that has one)",
                    removed.join(", ")
                ),
            )
            .at(Location::file(&first_file))
            .help("run `helm dependency build` before linting for a full render"),
        );
    }
    ChartLint {
        input: ChartInput {
            dir: dir.to_path_buf(),
            display: display.to_string(),
            name,
            context,
            values,
            rendered: ok,
        },
        findings,
        rendered,
        files,
    }
}

/// One synthesized source per template, named `<chart>/<template> (rendered)`.
fn split_render(text: &str, ctx: &Arc<RenderContext>) -> Vec<(Arc<SourceFile>, Classified)> {
    let markers = render::source_markers(text);
    let mut by_template: Vec<(String, String)> = Vec::new();
    for (i, (start, template)) in markers.iter().enumerate() {
        let end = markers.get(i + 1).map_or(text.len(), |m| m.0);
        let chunk = text[*start..end]
            .trim_end_matches("---\n")
            .trim_end_matches("---\r\n");
        match by_template.iter_mut().find(|(t, _)| t == template) {
            Some((_, body)) => {
                body.push_str("---\n");
                body.push_str(chunk);
            }
            None => by_template.push((template.clone(), chunk.to_string())),
        }
    }
    by_template
        .into_iter()
        .map(|(template, body)| {
            let relative = template
                .split_once('/')
                .map_or(template.as_str(), |(_, r)| r);
            let display = format!("{}/{} (rendered)", ctx.chart_display, relative);
            let file = Arc::new(SourceFile::new(ctx.chart_dir.join(relative), display, body));
            let mut classified = Classified::default();
            let stream = yaml::parse(&file.text);
            classified.duplicate_keys = stream.duplicate_keys.clone();
            for doc in &stream.documents {
                classify_node(&file, &doc.root, Some(ctx), &mut classified);
            }
            (file, classified)
        })
        .collect()
}
