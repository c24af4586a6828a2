//! The service accounts Crossplane creates for its packages. A `Provider` or `Function`
//! (`pkg.crossplane.io`) runs as a Deployment whose ServiceAccount Crossplane makes from the
//! `DeploymentRuntimeConfig` it references (`spec.runtimeConfigRef`, else the one named
//! `default`) or from the deprecated `ControllerConfig` (`spec.controllerConfigRef`):
//! - name: `serviceAccountTemplate.metadata.name` (`spec.serviceAccountName` of a
//!   ControllerConfig), else the package revision's name, `<package>-<digest>`, unknown offline:
//!   it is checked as `<package>-*`, which only a `StringLike` trust matches (IRSA058 says so);
//! - annotations: `serviceAccountTemplate.metadata.annotations` (`metadata.annotations` of a
//!   ControllerConfig), the role ARN among them;
//! - namespace: Crossplane's own, `crossplane-system` unless a release of the `crossplane` chart
//!   in the tree says otherwise.
//!
//! Each account is a synthesized ServiceAccount whose scalars point at the runtime
//! configuration's lines, so every rule applies (ARN checks, the pairing with a Crossplane IAM
//! `Role` of the tree). Source: `accounts.yaml`.

use std::collections::HashSet;
use std::sync::Arc;

use crate::diagnostics::finding::{Finding, Location};
use crate::diagnostics::input::OperatorAccountNotKnown;
use crate::facts::release::{HelmRelease, Setting};
use crate::facts::{Classified, Object, SaOrigin, ServiceAccount, ROLE_ARN_ANNOTATION};
use crate::frontends::build::{field, mapping, scalar};
use crate::syntax::source::SourceFile;
use crate::syntax::yaml::{self, Entry, Node, Span};

/// Whether a text may hold a Crossplane package object (cheap test before parsing).
pub fn may_hold(text: &str) -> bool {
    text.contains("pkg.crossplane.io/")
}

/// The default namespace and the chart that installs Crossplane, from `accounts.yaml`.
pub fn defaults() -> (String, String) {
    let entry = super::account_of("Crossplane");
    let namespace = entry
        .as_ref()
        .map_or("crossplane-system".into(), |e| e.namespace.clone());
    let chart = entry
        .and_then(|e| e.chart)
        .unwrap_or_else(|| "crossplane".into());
    (namespace, chart)
}

/// Crossplane's namespace: that of a release of its chart in the tree, else the default.
pub fn namespace(releases: &[HelmRelease]) -> Setting {
    let (default, chart) = defaults();
    match releases.iter().find(|r| r.chart_name() == chart) {
        Some(r) => r.namespace.clone(),
        None => Setting::default(
            &default,
            "Crossplane's default namespace (no release of its chart in the tree)",
        ),
    }
}

/// A `DeploymentRuntimeConfig` or `ControllerConfig`: what it puts on the account.
struct Runtime {
    file: Arc<SourceFile>,
    kind: &'static str,
    name: String,
    name_span: Span,
    /// The account's name, when the configuration sets it.
    account: Option<Node>,
    annotations: Vec<Entry>,
}

/// A `Provider` or `Function` and the configuration it references.
struct Package {
    kind: String,
    name: String,
    /// (`DeploymentRuntimeConfig` or `ControllerConfig`, its name)
    runtime: (&'static str, String),
}

/// The synthesized accounts (one unit each) and the notes.
#[derive(Default)]
pub struct Read {
    pub accounts: Vec<(Arc<SourceFile>, Classified)>,
    pub findings: Vec<Finding>,
}

/// The accounts Crossplane creates for the packages of `files`, in `namespace`.
pub fn service_accounts(files: &[Arc<SourceFile>], namespace: &Setting) -> Read {
    let (mut runtimes, mut packages) = (Vec::new(), Vec::new());
    for file in files.iter().filter(|f| may_hold(&f.text)) {
        for doc in yaml::parse(&file.text).documents {
            collect(file, &doc.root, &mut runtimes, &mut packages);
        }
    }
    let mut out = Read::default();
    let mut made: HashSet<String> = HashSet::new();
    for runtime in &runtimes {
        let users: Vec<&Package> = packages
            .iter()
            .filter(|p| p.runtime.0 == runtime.kind && p.runtime.1 == runtime.name)
            .collect();
        let relevant = runtime.account.is_some() || !runtime.annotations.is_empty();
        if users.is_empty() && relevant {
            let message = format!(
                "{} `{}` sets a service account, but no Provider or Function of the tree references it; that account was not checked",
                runtime.kind, runtime.name
            );
            out.findings.push(note(runtime, message));
        }
        if !relevant {
            continue;
        }
        for package in users {
            let name = account_name(runtime, package);
            if !made.insert(name.clone()) {
                continue;
            }
            if runtime.account.is_none() && has_role(runtime) {
                out.findings
                    .push(note(runtime, revision_message(runtime, package, namespace)));
            }
            out.accounts.push(account(runtime, &name, namespace));
        }
    }
    out
}

fn collect(
    file: &Arc<SourceFile>,
    root: &Node,
    runtimes: &mut Vec<Runtime>,
    packages: &mut Vec<Package>,
) {
    if !root
        .str_at(&["apiVersion"])
        .is_some_and(|a| a.starts_with("pkg.crossplane.io/"))
    {
        return;
    }
    let Some(name_node) = root.path(&["metadata", "name"]) else {
        return;
    };
    let Some(name) = name_node.as_str().map(str::to_string) else {
        return;
    };
    let annotations = |path: &[&str]| -> Vec<Entry> {
        root.path(path)
            .and_then(Node::as_map)
            .unwrap_or_default()
            .to_vec()
    };
    let string = |path: &[&str]| {
        root.path(path)
            .filter(|n| n.as_str().is_some_and(|s| !s.is_empty()))
            .cloned()
    };
    let runtime = |kind, account, annotations| Runtime {
        file: file.clone(),
        kind,
        name: name.clone(),
        name_span: name_node.span,
        account,
        annotations,
    };
    match root.str_at(&["kind"]) {
        Some("DeploymentRuntimeConfig") => {
            let template = ["spec", "serviceAccountTemplate", "metadata"];
            let account = string(&[&template[..], &["name"]].concat());
            let entries = annotations(&[&template[..], &["annotations"]].concat());
            runtimes.push(runtime("DeploymentRuntimeConfig", account, entries));
        }
        Some("ControllerConfig") => {
            let account = string(&["spec", "serviceAccountName"]);
            let entries = annotations(&["metadata", "annotations"]);
            runtimes.push(runtime("ControllerConfig", account, entries));
        }
        Some(kind @ ("Provider" | "Function")) => {
            let reference = |key: &str| root.str_at(&["spec", key, "name"]).map(str::to_string);
            let runtime = match (
                reference("controllerConfigRef"),
                reference("runtimeConfigRef"),
            ) {
                (Some(cc), None) => ("ControllerConfig", cc),
                (_, Some(drc)) => ("DeploymentRuntimeConfig", drc),
                // Since Crossplane v1.14 a package without a reference uses the one named `default`.
                (None, None) => ("DeploymentRuntimeConfig", "default".to_string()),
            };
            packages.push(Package {
                kind: kind.to_string(),
                name,
                runtime,
            });
        }
        _ => {}
    }
}

fn has_role(runtime: &Runtime) -> bool {
    runtime
        .annotations
        .iter()
        .any(|e| e.key.as_str() == Some(ROLE_ARN_ANNOTATION))
}

/// The account's name: the configuration's, else the revision's (`<package>-*` offline).
fn account_name(runtime: &Runtime, package: &Package) -> String {
    match runtime.account.as_ref().and_then(Node::as_str) {
        Some(name) => name.to_string(),
        None => format!("{}-*", package.name),
    }
}

fn revision_message(runtime: &Runtime, package: &Package, namespace: &Setting) -> String {
    format!(
        "{} `{}` of {} `{}` names no service account, so Crossplane names it after the package revision (`{}-<digest>`), unknown offline; it was checked as `{}-*`: the role's trust must match `system:serviceaccount:{}:{}-*` with StringLike",
        runtime.kind, runtime.name, package.kind, package.name, package.name, package.name, namespace.value, package.name
    )
}

fn note(runtime: &Runtime, message: String) -> Finding {
    Finding::new(&OperatorAccountNotKnown::META, message)
        .at(Location::new(&runtime.file, runtime.name_span))
}

/// The ServiceAccount, in the runtime configuration's file and at its lines.
fn account(runtime: &Runtime, name: &str, namespace: &Setting) -> (Arc<SourceFile>, Classified) {
    let at = runtime.name_span;
    let file = runtime.file.clone();
    let name_span = runtime.account.as_ref().map_or(at, |n| n.span);
    let ns_span = namespace
        .place
        .as_ref()
        .filter(|p| p.file.display == file.display)
        .map_or(at, |p| p.span);
    let mut metadata = vec![
        field("name", scalar(name, name_span)),
        field("namespace", scalar(&namespace.value, ns_span)),
    ];
    if !runtime.annotations.is_empty() {
        metadata.push(field(
            "annotations",
            mapping(runtime.annotations.clone(), at),
        ));
    }
    let root = mapping(
        vec![
            field("apiVersion", scalar("v1", at)),
            field("kind", scalar("ServiceAccount", at)),
            field("metadata", mapping(metadata, at)),
        ],
        at,
    );
    let object = Object {
        file: file.clone(),
        kind: "ServiceAccount".into(),
        api_version: "v1".into(),
        namespace: Some(namespace.value.clone()),
        name: name.to_string(),
        chart: None,
        node: root,
    };
    let role_arn = object.annotation(ROLE_ARN_ANNOTATION).cloned();
    let mut classified = Classified::default();
    classified.service_accounts.push(ServiceAccount {
        object,
        origin: SaOrigin::Manifest,
        role_arn,
    });
    (file, classified)
}
