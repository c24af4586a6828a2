use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::declare_rule;
use crate::diagnostics::finding::{Finding, Location, Severity};
use crate::diagnostics::RuleMeta;
use crate::facts::trusted::landed_namespace;
use crate::facts::{ServiceAccount, Workspace};
use crate::rules::{Rule, Scope};

declare_rule! {
    /// Two sources of one Terraform root create the same service account, one of them a Helm release.
    ///
    /// ## What it checks
    /// In one Terraform root (the directory of `.tf` files one `terraform apply` runs, or one
    /// local module), a `helm_release` whose chart creates a ServiceAccount (a chart rendered with
    /// the release's values, or a chart pack: `serviceAccount.create` defaults to true) and a
    /// `kubernetes_service_account(_v1)`, `kubernetes_manifest` or `kubectl_manifest` of the same
    /// namespace and name, or another `helm_release` that creates it too. Each creator gets an
    /// error, with the other as a related location.
    ///
    /// The scope is deliberately one Terraform root: its resources go to one cluster (one
    /// `kubernetes`/`helm` provider configuration, in the common case). Objects of different
    /// roots, kustomize overlays and their bases, GitOps objects of different targets, and one
    /// object reached twice (a module called for two clusters) are never compared. A release
    /// whose values are not all known offline (a `set` or `values` from a variable or data
    /// source) is not counted: its `serviceAccount.create` may be false.
    ///
    /// ## Why it matters
    /// Helm refuses to install a chart over an object it does not own: `Error: rendered manifests
    /// contain a resource that already exists. Unable to continue with install: ServiceAccount
    /// "x" in namespace "y" exists and cannot be imported into the current release`. Whichever
    /// runs second fails, or the two fight over the annotation (and so the role).
    ///
    /// ## Example
    /// `kubernetes_service_account_v1.alb` creates `kube-system/aws-load-balancer-controller`
    /// with the role annotation, and `helm_release.alb` installs the chart with its defaults: set
    /// `serviceAccount.create = false` and `serviceAccount.name` in the release.
    pub struct DuplicateSaCreator => ("IRSA029", "duplicate-sa-creator", Severity::Error);
}

/// One thing that creates a service account, and what it is called in messages.
struct Creator<'a> {
    sa: &'a ServiceAccount,
    what: String,
    helm: bool,
    at: Location,
}

impl Rule for DuplicateSaCreator {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn scope(&self) -> Scope {
        Scope::Workspace
    }

    fn check(&self, ws: &Workspace, out: &mut Vec<Finding>) {
        // Grouped by root first: a Terraform file is read again only for a shared account.
        let mut by_root: BTreeMap<(PathBuf, String, String), Vec<&ServiceAccount>> =
            BTreeMap::new();
        for sa in &ws.service_accounts {
            if let Some(root) = terraform_root(sa) {
                let key = (
                    root,
                    landed_namespace(sa).to_string(),
                    sa.object.name.clone(),
                );
                by_root.entry(key).or_default().push(sa);
            }
        }
        let mut by_account: BTreeMap<(PathBuf, String, String), Vec<Creator>> = BTreeMap::new();
        for (key, accounts) in by_root.into_iter().filter(|(_, a)| a.len() > 1) {
            let creators = by_account.entry(key).or_default();
            for creator in accounts.into_iter().filter_map(|sa| creator(ws, sa)) {
                // One object reached twice (a module called twice, a file read twice) is one.
                if !creators.iter().any(|c| c.at == creator.at) {
                    creators.push(creator);
                }
            }
        }
        for ((_, ns, name), creators) in &by_account {
            if creators.len() < 2 || !creators.iter().any(|c| c.helm) {
                continue;
            }
            for (i, c) in creators.iter().enumerate() {
                let others: Vec<&Creator> = (creators.iter().enumerate())
                    .filter(|(j, _)| *j != i)
                    .map(|(_, o)| o)
                    .collect();
                let named: Vec<&str> = others.iter().map(|o| o.what.as_str()).collect();
                let mut f = Finding::new(
                    &DuplicateSaCreator::META,
                    format!(
                        "{} creates service account `{ns}/{name}`, and so does {}: Helm refuses to install over an object it does not own",
                        c.what,
                        named.join(" and ")
                    ),
                )
                .at(c.at.clone())
                .object(c.sa.object.object_ref());
                for o in others {
                    f = f.related(
                        o.at.clone()
                            .with_message(format!("{} creates it here", o.what)),
                    );
                }
                out.push(f.help("let one of them create it: set the chart's `serviceAccount.create = false` (and `serviceAccount.name`), or remove the other resource"));
            }
        }
    }
}

/// The Terraform root (directory) and the creator of a service account, for creators this
/// rule compares: a Terraform `helm_release` with all its values known, and a Terraform resource.
fn creator<'a>(ws: &Workspace, sa: &'a ServiceAccount) -> Option<Creator<'a>> {
    if let Some(ctx) = &sa.object.chart {
        let by = (ctx.declared_by.as_deref()).filter(|b| b.starts_with("helm_release."))?;
        let place = ctx.declared_at.as_ref()?;
        if unlisted_in(ws, landed_namespace(sa)) {
            return None;
        }
        let creator = Creator {
            sa,
            what: format!("`{by}` (chart `{}`)", ctx.chart_name),
            helm: true,
            at: place.location(),
        };
        return Some(creator);
    }
    let (ty, name) = terraform_resource(sa)?;
    let helm = ty == "helm_release";
    if helm && unlisted_in(ws, landed_namespace(sa)) {
        return None;
    }
    let creator = Creator {
        sa,
        what: format!("`{ty}.{name}`"),
        helm,
        at: sa.object.location(sa.object.node.span),
    };
    Some(creator)
}

/// The directory of the Terraform root (or local module) that declares the account.
fn terraform_root(sa: &ServiceAccount) -> Option<PathBuf> {
    match &sa.object.chart {
        Some(ctx) => {
            let by = ctx.declared_by.as_deref()?;
            let place = ctx.declared_at.as_ref()?;
            by.starts_with("helm_release.")
                .then(|| dir_of(&place.file.path))
        }
        None => (sa.object.file.display.ends_with(".tf")).then(|| dir_of(&sa.object.file.path)),
    }
}

/// Something in the namespace creates accounts the run cannot list (values not known offline).
fn unlisted_in(ws: &Workspace, ns: &str) -> bool {
    (ws.unlisted_accounts.iter()).any(|u| u.namespace.as_deref().is_none_or(|n| n == ns))
}

/// The Terraform resource (type, name) whose block holds the object, when it creates it: a
/// `helm_release` computed from its chart pack, or a Kubernetes resource (not
/// `kubernetes_annotations`, which annotates an existing account).
fn terraform_resource(sa: &ServiceAccount) -> Option<(String, String)> {
    let file = &sa.object.file;
    if !file.display.ends_with(".tf") {
        return None;
    }
    // A file's text is dropped once its file rules ran: read it again (only .tf files of
    // accounts that a Helm release may create too get here).
    let text = match file.text.is_empty() {
        true => Cow::Owned(read_small(&file.path)?),
        false => Cow::Borrowed(file.text.as_str()),
    };
    // The resource block that holds the object (the block itself, or a value inside it).
    let start = sa.object.node.span.start.offset;
    let upto = (start + "resource \"".len()).min(text.len());
    let block = text.get(..upto)?.rfind("resource \"")?;
    let line = text.get(block..)?.lines().next()?;
    let mut words = (line.strip_prefix("resource")?.split('"')).filter(|w| !w.trim().is_empty());
    let (ty, name) = (words.next()?, words.next()?);
    let creates = matches!(
        ty,
        "helm_release"
            | "kubernetes_service_account"
            | "kubernetes_service_account_v1"
            | "kubernetes_manifest"
            | "kubectl_manifest"
    );
    creates.then(|| (ty.to_string(), name.to_string()))
}

fn read_small(path: &Path) -> Option<String> {
    let small = std::fs::metadata(path).ok()?.len() <= MAX_TF_FILE;
    small.then(|| std::fs::read_to_string(path).ok()).flatten()
}

/// Larger `.tf` files are not read again here (the lint run's own limit is larger still).
const MAX_TF_FILE: u64 = 4 * 1024 * 1024;

fn dir_of(path: &Path) -> PathBuf {
    path.parent().map_or_else(PathBuf::new, Path::to_path_buf)
}
