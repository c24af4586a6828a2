//! Chart packs (`rules/charts/*.yaml`, schema `rules/charts/chart-pack.schema.json`): how a widely
//! used chart names and annotates its ServiceAccount, for releases whose chart is not in the tree.

use std::sync::{Arc, OnceLock};

use crate::diagnostics::finding::Finding;
use crate::facts::release::{ChartSource, HelmRelease};
use crate::frontends::release::fullname::{self, ReleaseCheck};
use crate::frontends::release::merge::{self, Hit};
use crate::frontends::release::{synth, Resolved};
use crate::syntax::schema;
use crate::syntax::source::SourceFile;
use crate::syntax::yaml::{self, Node, Span};

pub const CHART_PACK_SCHEMA: &str = include_str!("../../../rules/charts/chart-pack.schema.json");

/// The built-in chart packs: (path in the repository, text).
pub const BUILTIN_CHART_PACKS: &[(&str, &str)] = &[
    (
        "rules/charts/cluster-autoscaler.yaml",
        include_str!("../../../rules/charts/cluster-autoscaler.yaml"),
    ),
    (
        "rules/charts/aws-load-balancer-controller.yaml",
        include_str!("../../../rules/charts/aws-load-balancer-controller.yaml"),
    ),
    (
        "rules/charts/aws-ebs-csi-driver.yaml",
        include_str!("../../../rules/charts/aws-ebs-csi-driver.yaml"),
    ),
    (
        "rules/charts/cert-manager.yaml",
        include_str!("../../../rules/charts/cert-manager.yaml"),
    ),
    (
        "rules/charts/external-dns.yaml",
        include_str!("../../../rules/charts/external-dns.yaml"),
    ),
    (
        "rules/charts/external-secrets.yaml",
        include_str!("../../../rules/charts/external-secrets.yaml"),
    ),
    (
        "rules/charts/keda.yaml",
        include_str!("../../../rules/charts/keda.yaml"),
    ),
    (
        "rules/charts/karpenter.yaml",
        include_str!("../../../rules/charts/karpenter.yaml"),
    ),
    (
        "rules/charts/velero.yaml",
        include_str!("../../../rules/charts/velero.yaml"),
    ),
];

/// A key that is read as a boolean, with the chart's default.
#[derive(Debug, Clone)]
pub struct Flag {
    pub key: Vec<String>,
    pub default: bool,
}

/// One ServiceAccount a chart creates.
#[derive(Debug, Clone)]
pub struct PackServiceAccount {
    pub component: String,
    pub create: Flag,
    pub also_requires: Vec<Flag>,
    pub name: Vec<String>,
    pub annotations: Vec<String>,
    pub role_arn: Option<Vec<String>>,
    /// The flag that must be true for `role_arn` to be used.
    pub role_arn_enabled: Option<Flag>,
    pub default_name: String,
    /// `defaultName` is cut to 63 characters (`trunc 63 | trimSuffix "-"`).
    pub truncate: bool,
    pub name_when_not_created: String,
}

#[derive(Debug, Clone)]
pub struct ChartPack {
    pub chart: String,
    pub aliases: Vec<String>,
    pub file: Arc<SourceFile>,
    pub defaults: Vec<(String, String)>,
    pub name: String,
    pub name_override: Option<Vec<String>>,
    pub fullname_override: Option<Vec<String>>,
    pub release_check: ReleaseCheck,
    pub namespace: Option<Vec<String>>,
    pub ignored: Vec<(Vec<String>, String)>,
    pub service_accounts: Vec<PackServiceAccount>,
}

/// A chart pack that did not load: where, and why (reported as IRSA018 by lint).
#[derive(Debug, Clone)]
pub struct PackProblem {
    pub file: Arc<SourceFile>,
    pub message: String,
    pub span: Span,
}

/// Every loaded chart pack, and what loading them reported.
pub struct ChartPacks {
    pub packs: Vec<ChartPack>,
    pub diagnostics: Vec<PackProblem>,
}

impl ChartPacks {
    pub fn builtin() -> ChartPacks {
        let mut set = ChartPacks {
            packs: Vec::new(),
            diagnostics: Vec::new(),
        };
        for (path, text) in BUILTIN_CHART_PACKS {
            let file = Arc::new(SourceFile::new(*path, format!("built-in:{path}"), *text));
            set.add(file);
        }
        set
    }

    pub fn find(&self, chart: &str) -> Option<&ChartPack> {
        self.packs
            .iter()
            .find(|p| p.chart == chart || p.aliases.iter().any(|a| a == chart))
    }

    fn error(&mut self, file: &Arc<SourceFile>, message: String, span: Span) {
        self.diagnostics.push(PackProblem {
            file: file.clone(),
            message: format!("chart pack: {message}"),
            span,
        });
    }

    fn add(&mut self, file: Arc<SourceFile>) {
        let stream = yaml::parse(&file.text);
        let root = match (&stream.error, stream.documents.first()) {
            (None, Some(d)) => &d.root,
            (err, _) => {
                let pos = err.as_ref().map(|e| e.pos).unwrap_or_default();
                let message = err
                    .as_ref()
                    .map_or("empty file".into(), |e| e.message.clone());
                return self.error(
                    &file,
                    message,
                    Span {
                        start: pos,
                        end: pos,
                    },
                );
            }
        };
        static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
        let validator = VALIDATOR.get_or_init(|| schema::compile(CHART_PACK_SCHEMA));
        let errors = schema::validate(validator, root);
        if !errors.is_empty() {
            for e in errors {
                self.error(&file, e.message, e.span);
            }
            return;
        }
        let pack = read(&file, root);
        self.packs.retain(|p| p.chart != pack.chart);
        self.packs.push(pack);
    }
}

/// `a.b.c`, or `a."x.y/z"` for a segment with dots; `None` when a segment is empty.
fn key(node: Option<&Node>) -> Option<Vec<String>> {
    let text = node?.as_str()?;
    let mut out = vec![String::new()];
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            '.' if !quoted => out.push(String::new()),
            _ => out.last_mut()?.push(c),
        }
    }
    (!quoted && out.iter().all(|s| !s.is_empty())).then_some(out)
}

fn flag(node: Option<&Node>, fallback: bool) -> Option<Flag> {
    let node = node?;
    Some(Flag {
        key: key(node.get("key"))?,
        default: node
            .get("default")
            .and_then(Node::as_bool)
            .unwrap_or(fallback),
    })
}

/// Build a pack from a tree the schema accepted.
fn read(file: &Arc<SourceFile>, root: &Node) -> ChartPack {
    let s = |n: &Node, k: &str| n.str_at(&[k]).unwrap_or_default().to_string();
    let fullname = root.get("fullname");
    let mut service_accounts = Vec::new();
    for sa in root
        .get("serviceAccounts")
        .and_then(Node::as_seq)
        .unwrap_or_default()
    {
        let (Some(create), Some(name), Some(annotations)) = (
            flag(sa.get("create"), true),
            key(sa.get("name")),
            key(sa.get("annotations")),
        ) else {
            continue;
        };
        service_accounts.push(PackServiceAccount {
            component: s(sa, "component"),
            create,
            also_requires: sa
                .get("alsoRequires")
                .and_then(Node::as_seq)
                .unwrap_or_default()
                .iter()
                .filter_map(|f| flag(Some(f), true))
                .collect(),
            name,
            annotations,
            role_arn: key(sa.get("roleArn")),
            role_arn_enabled: flag(sa.get("roleArnEnabled"), false),
            default_name: s(sa, "defaultName"),
            truncate: sa.get("truncate").and_then(Node::as_bool).unwrap_or(true),
            name_when_not_created: sa
                .str_at(&["nameWhenNotCreated"])
                .unwrap_or("default")
                .to_string(),
        });
    }
    ChartPack {
        chart: s(root, "chart"),
        aliases: root
            .get("aliases")
            .and_then(Node::as_seq)
            .unwrap_or_default()
            .iter()
            .filter_map(|a| a.as_str().map(str::to_string))
            .collect(),
        file: file.clone(),
        defaults: root
            .get("defaults")
            .and_then(Node::as_map)
            .unwrap_or_default()
            .iter()
            .filter_map(|e| Some((e.key.as_str()?.to_string(), e.value.as_str()?.to_string())))
            .collect(),
        name: fullname.map_or("{chart}".into(), |f| s(f, "name")),
        name_override: key(fullname.and_then(|f| f.get("nameOverride"))),
        fullname_override: key(fullname.and_then(|f| f.get("fullnameOverride"))),
        release_check: fullname
            .and_then(|f| f.str_at(&["releaseCheck"]))
            .and_then(ReleaseCheck::parse)
            .unwrap_or(ReleaseCheck::Contains),
        namespace: key(root.path(&["namespace", "key"])),
        ignored: root
            .get("ignoredKeys")
            .and_then(Node::as_seq)
            .unwrap_or_default()
            .iter()
            .filter_map(|i| Some((key(i.get("key"))?, s(i, "why"))))
            .collect(),
        service_accounts,
    }
}

/// The values a pack reads, over a release's layers.
pub struct Values<'a> {
    pub layers: &'a [(Arc<SourceFile>, Node)],
    pub pack: &'a ChartPack,
}

impl<'a> Values<'a> {
    pub fn hit(&self, path: &[String]) -> Option<Hit<'a>> {
        let path: Vec<&str> = path.iter().map(String::as_str).collect();
        merge::lookup(self.layers, &path)
    }

    /// A non-empty string value, as helm's `default` would take it.
    pub fn text(&self, path: &[String]) -> Option<(String, Hit<'a>)> {
        let hit = self.hit(path)?;
        let text = hit.entry.value.as_str()?.to_string();
        (!text.is_empty()).then_some((text, hit))
    }

    pub fn flag(&self, flag: &Flag) -> bool {
        match self.hit(&flag.key).map(|h| &h.entry.value) {
            Some(v) if v.is_null() => false,
            Some(v) => v.as_bool().unwrap_or(!v.as_str().unwrap_or("").is_empty()),
            None => flag.default,
        }
    }

    /// A key's value, else the pack's `defaults` entry.
    fn value_or_default(&self, dotted: &str) -> String {
        let path: Vec<String> = crate::facts::release::SetValue::split_key(dotted);
        self.text(&path).map(|(t, _)| t).unwrap_or_else(|| {
            self.pack
                .defaults
                .iter()
                .find(|(k, _)| k == dotted)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        })
    }

    /// Expand a name template.
    pub fn expand(&self, template: &str, release: &str, fullname: &str, name: &str) -> String {
        let mut out = String::new();
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let Some(close) = rest[open..].find('}') else {
                out.push_str(&rest[open..]);
                return out;
            };
            let placeholder = &rest[open + 1..open + close];
            match placeholder {
                "release" => out.push_str(release),
                "chart" => out.push_str(&self.pack.chart),
                "fullname" => out.push_str(fullname),
                p if p.starts_with("fullname:") => {
                    // `{fullname:55}`: `include "fullname" | trunc 55 | trimSuffix "-"`.
                    let n = p["fullname:".len()..].parse::<usize>().unwrap_or(63);
                    out.push_str(&fullname::trunc(fullname, n));
                }
                "name" => out.push_str(name),
                p => match p.strip_prefix("values.") {
                    Some(k) => out.push_str(&self.value_or_default(k)),
                    None => out.push_str(&rest[open..=open + close]),
                },
            }
            rest = &rest[open + close + 1..];
        }
        out.push_str(rest);
        out
    }

    /// `(name, fullname)` for a release name.
    pub fn names(&self, release: &str) -> (String, String) {
        let base = self.expand(&self.pack.name, release, "", "");
        let name = self
            .pack
            .name_override
            .as_ref()
            .and_then(|k| self.text(k))
            .map_or(base, |(t, _)| t);
        let over = self
            .pack
            .fullname_override
            .as_ref()
            .and_then(|k| self.text(k))
            .map(|(t, _)| t);
        let full = fullname::fullname(release, &name, over.as_deref(), self.pack.release_check);
        (name, full)
    }
}

/// A release of a chart that is not in the tree: its pack's ServiceAccounts, synthesized.
pub fn resolve_remote(release: &HelmRelease, packs: &ChartPacks) -> Resolved {
    let ChartSource::Remote { name, place, .. } = &release.chart else {
        return Resolved::default();
    };
    let mut out = Resolved::default();
    let Some(pack) = packs.find(name) else {
        let at = place.as_ref().unwrap_or(&release.origin.place);
        out.findings.push(
            Finding::new(
                &crate::diagnostics::input::ChartNotRendered::META,
                format!(
                    "chart `{name}` of release `{}` is not in the tree and has no chart pack: its service accounts were not checked",
                    release.release_name.value
                ),
            )
            .at(at.location())
            .help("vendor the chart into the tree and point the release at it, or add a chart pack (rules/charts/)"),
        );
        return out;
    };
    let layers = merge::user_layers(release);
    let values = Values {
        layers: &layers,
        pack,
    };
    for sa in &pack.service_accounts {
        if let Some((file, classified)) = synth::service_account(release, &values, sa) {
            out.files.push(file.clone());
            out.classified.push((file, classified));
        }
    }
    out.files.push(release.origin.place.file.clone());
    // The values, as a chart that was not rendered: value-key rules and rule packs read them.
    let display = format!(
        "{} release `{}` (chart `{name}`)",
        release.origin.place.file.display, release.release_name.value
    );
    let context = Arc::new(crate::facts::RenderContext {
        chart_name: name.clone(),
        chart_dir: release.origin.place.file.path.clone(),
        chart_display: display.clone(),
        release_name: release.release_name.value.clone(),
        namespace: release.namespace.value.clone(),
        values_files: layers.iter().map(|(f, _)| f.clone()).collect(),
        set_args: Vec::new(),
        declared_by: Some(release.declared_by()),
        declared_at: Some(release.origin.place.clone()),
    });
    out.chart = Some(crate::facts::ChartInput {
        dir: release.origin.place.file.path.clone(),
        display,
        name: name.clone(),
        context,
        values: layers,
        rendered: false,
    });
    out
}
