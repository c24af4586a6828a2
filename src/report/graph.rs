//! Who can assume what: the checked pairs as a graph, service account → role → OIDC provider or
//! EKS Pod Identity, with the rule codes that break each link. The Mermaid (`markdown`) and
//! Graphviz (`dot`) renderers draw it; `openreports` turns its pairs into `pass` results.

use std::collections::{BTreeMap, BTreeSet};

use sha2::{Digest, Sha256};

use super::Report;
use crate::diagnostics::finding::{Finding, Severity};

/// How the role is reached.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Provider {
    /// An OIDC provider, by issuer (`oidc.eks.us-east-1.amazonaws.com/id/ABC`).
    Oidc(String),
    /// IRSA through a provider the run could not name (an issuer set at deploy time, unread).
    UnknownOidc,
    /// An EKS Pod Identity association.
    PodIdentity,
}

impl Provider {
    pub fn label(&self) -> String {
        match self {
            Provider::Oidc(issuer) => format!("OIDC {issuer}"),
            Provider::UnknownOidc => "OIDC provider (not known)".to_string(),
            Provider::PodIdentity => "EKS Pod Identity".to_string(),
        }
    }
}

/// One service account checked against one role.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct GraphPair {
    /// The kubeconfig context (fleet runs).
    pub context: Option<String>,
    pub namespace: String,
    pub service_account: String,
    /// The role's name (or the value as written when it names no role).
    pub role: String,
    pub role_arn: Option<String>,
    pub provider: Provider,
    pub association_id: Option<String>,
    /// lint: the file of the role's trust policy. A finding about the role breaks the role →
    /// provider link only when it points into this file (a permission policy's finding does not).
    pub trust_path: Option<String>,
    /// `false`: doctor could not verify this pair (IRSA100); never a pass.
    pub verified: bool,
}

impl GraphPair {
    /// `namespace/name`.
    pub fn sa_label(&self) -> String {
        format!("{}/{}", self.namespace, self.service_account)
    }
}

/// A cluster-wide fact doctor read (the OIDC provider, the webhook, the Pod Identity agent, the
/// issuer EKS reports), checked by the rule `policy`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterCheck {
    pub context: Option<String>,
    pub policy: &'static str,
    pub kind: &'static str,
    pub name: String,
}

/// A pair with the codes of the errors and warnings on each of its two links.
#[derive(Debug, Clone)]
pub struct Linked<'r> {
    pub pair: &'r GraphPair,
    /// Findings about the service account (the SA → role link).
    pub sa_role: BTreeSet<&'r str>,
    /// Findings about the role, its provider or the association (the role → provider link).
    pub role_provider: BTreeSet<&'r str>,
}

impl Linked<'_> {
    pub fn broken(&self) -> bool {
        !self.sa_role.is_empty() || !self.role_provider.is_empty()
    }
}

/// Past this many pairs a diagram draws only the pairs with findings (and at most this many of
/// them): GitHub's Mermaid stops at 500 edges and 50,000 characters.
pub const DRAW_LIMIT: usize = 100;

/// The most characters of a name a node label shows.
pub const LABEL_MAX: usize = 80;

/// The pairs a diagram draws (all of them, or only the broken ones past `DRAW_LIMIT`), and how
/// many it leaves out.
pub fn drawn(report: &Report) -> (Vec<Linked<'_>>, usize) {
    let all = link(report);
    if all.len() <= DRAW_LIMIT {
        return (all, 0);
    }
    let total = all.len();
    let mut broken: Vec<Linked<'_>> = all.into_iter().filter(Linked::broken).collect();
    broken.truncate(DRAW_LIMIT);
    let left_out = total - broken.len();
    (broken, left_out)
}

/// What kind of thing a node is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    ServiceAccount,
    Role,
    Provider,
}

/// A node of a drawing: a safe id and the label as text (escaped by each renderer).
#[derive(Debug, Clone)]
pub struct Node {
    pub id: String,
    pub kind: NodeKind,
    pub label: String,
}

/// An edge, with the rule codes that break it (none: the link was checked and holds).
#[derive(Debug, Clone)]
pub struct Edge {
    pub from: String,
    pub to: String,
    pub codes: BTreeSet<String>,
}

/// The nodes and edges of the drawn pairs, each once, in first-seen order.
#[derive(Debug, Default)]
pub struct Drawing {
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
    /// Pairs not drawn (only those with findings are drawn past `DRAW_LIMIT`).
    pub left_out: usize,
    pub pairs: usize,
}

impl Drawing {
    pub fn of(report: &Report) -> Drawing {
        let (linked, left_out) = drawn(report);
        let mut d = Drawing {
            left_out,
            pairs: linked.len() + left_out,
            ..Drawing::default()
        };
        let mut seen_nodes = BTreeSet::new();
        let mut edge_at: BTreeMap<(String, String), usize> = BTreeMap::new();
        for l in &linked {
            let p = l.pair;
            let sa = d.node(
                &mut seen_nodes,
                sa_node(p),
                NodeKind::ServiceAccount,
                sa_text(p),
            );
            let role = d.node(
                &mut seen_nodes,
                role_node(p),
                NodeKind::Role,
                p.role.clone(),
            );
            let prov = d.node(
                &mut seen_nodes,
                provider_node(p),
                NodeKind::Provider,
                p.provider.label(),
            );
            d.edge(&mut edge_at, sa, role.clone(), &l.sa_role);
            d.edge(&mut edge_at, role, prov, &l.role_provider);
        }
        d
    }

    fn node(
        &mut self,
        seen: &mut BTreeSet<String>,
        id: String,
        kind: NodeKind,
        label: String,
    ) -> String {
        if seen.insert(id.clone()) {
            self.nodes.push(Node {
                id: id.clone(),
                kind,
                label: shorten(&label, LABEL_MAX),
            });
        }
        id
    }

    fn edge(
        &mut self,
        at: &mut BTreeMap<(String, String), usize>,
        from: String,
        to: String,
        codes: &BTreeSet<&str>,
    ) {
        let i = *at.entry((from.clone(), to.clone())).or_insert_with(|| {
            self.edges.push(Edge {
                from,
                to,
                codes: BTreeSet::new(),
            });
            self.edges.len() - 1
        });
        self.edges[i]
            .codes
            .extend(codes.iter().map(|c| c.to_string()));
    }
}

fn sa_text(p: &GraphPair) -> String {
    match &p.context {
        Some(c) => format!("{c}: {}", p.sa_label()),
        None => p.sa_label(),
    }
}

/// Every pair of the report with the codes on its links.
pub fn link(report: &Report) -> Vec<Linked<'_>> {
    let mut by_sa: BTreeMap<(Option<&str>, &str, &str), BTreeSet<&str>> = BTreeMap::new();
    let mut by_other: BTreeMap<(Option<&str>, &str), Vec<&Finding>> = BTreeMap::new();
    for f in report
        .findings
        .iter()
        .filter(|f| f.severity > Severity::Note)
    {
        let Some(o) = &f.object else { continue };
        let context = f.context.as_deref();
        if o.kind == "ServiceAccount" {
            let ns = o.namespace.as_deref().unwrap_or("default");
            by_sa
                .entry((context, ns, &o.name))
                .or_default()
                .insert(&f.code);
        } else {
            // A provider is named by its ARN; the pairs know its issuer.
            let name = match o.name.split_once(":oidc-provider/") {
                Some((_, issuer)) if o.kind == "OpenIDConnectProvider" => issuer,
                _ => o.name.as_str(),
            };
            by_other.entry((context, name)).or_default().push(f);
        }
    }
    report
        .graph
        .iter()
        .map(|pair| {
            let context = pair.context.as_deref();
            let key = (
                context,
                pair.namespace.as_str(),
                pair.service_account.as_str(),
            );
            let sa_role = by_sa.get(&key).cloned().unwrap_or_default();
            let mut role_provider: BTreeSet<&str> = BTreeSet::new();
            for name in other_names(pair) {
                let found = by_other.get(&(context, name)).into_iter().flatten();
                role_provider.extend(found.filter(|f| in_trust(pair, f)).map(|f| f.code.as_str()));
            }
            Linked {
                pair,
                sa_role,
                role_provider,
            }
        })
        .collect()
}

/// Is `f` about the pair's trust (not, say, the role's permission policy)?
fn in_trust(pair: &GraphPair, f: &Finding) -> bool {
    match (&pair.trust_path, &f.location) {
        (Some(trust), Some(l)) => &l.path == trust,
        _ => true,
    }
}

/// The names a finding about the role side carries: the role, its ARN, the association id, the
/// provider's ARN (which ends with the issuer).
fn other_names(pair: &GraphPair) -> Vec<&str> {
    let mut names = vec![pair.role.as_str()];
    names.extend(pair.role_arn.as_deref());
    names.extend(pair.association_id.as_deref());
    if let Provider::Oidc(issuer) = &pair.provider {
        names.push(issuer);
    }
    names
}

/// A node id safe in Mermaid and dot for any name: a prefix and a hash of the name.
pub fn node_id(prefix: &str, name: &str) -> String {
    let digest = Sha256::digest(name.as_bytes());
    let hex: String = digest.iter().take(6).map(|b| format!("{b:02x}")).collect();
    format!("{prefix}_{hex}")
}

/// The three kinds of node and their ids.
pub fn sa_node(p: &GraphPair) -> String {
    node_id(
        "sa",
        &format!("{}\0{}\0{}", ctx(p), p.namespace, p.service_account),
    )
}

pub fn role_node(p: &GraphPair) -> String {
    node_id("role", &format!("{}\0{}", ctx(p), p.role))
}

pub fn provider_node(p: &GraphPair) -> String {
    let name = match &p.provider {
        Provider::Oidc(i) => format!("oidc\0{i}"),
        Provider::UnknownOidc => "oidc?".to_string(),
        Provider::PodIdentity => "pod-identity".to_string(),
    };
    node_id("prov", &format!("{}\0{name}", ctx(p)))
}

fn ctx(p: &GraphPair) -> &str {
    p.context.as_deref().unwrap_or("")
}

/// A label cut to `max` characters (an ellipsis marks the cut), control characters as spaces.
pub fn shorten(label: &str, max: usize) -> String {
    let clean: String = label
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if clean.chars().count() <= max {
        return clean;
    }
    let mut cut: String = clean.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}
