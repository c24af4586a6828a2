//! The live checks. Each file is one check over the snapshot and what IAM answered.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::core::v1::ServiceAccount;

use super::cluster::Snapshot;
use super::fault::Fault;
use super::iam::{IamError, RoleInfo};
use super::rules::CouldNotVerify;
use super::view::{View, Views};
use crate::diagnostics::finding::{Finding, ObjectRef};
use crate::diagnostics::internal_error::{self, isolate};
use crate::facts::{AUDIENCE_ANNOTATION, DEFAULT_AUDIENCE, ROLE_ARN_ANNOTATION};

pub mod arn;
pub mod eks_issuer;
pub mod pod_identity;
pub mod pod_identity_pods;
pub mod pods;
pub mod provider;
pub mod role;
pub mod scan;
pub mod trust;
pub mod webhook;

/// The summary verdict of one ServiceAccount, worst wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verdict {
    Ok,
    CouldNotVerify,
    Denied,
    NotFound,
    InvalidArn,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Ok => "OK",
            Verdict::CouldNotVerify => "COULD NOT VERIFY",
            Verdict::Denied => "DENIED",
            Verdict::NotFound => "NOT FOUND",
            Verdict::InvalidArn => "INVALID ARN",
        }
    }
}

/// A role named by a valid ARN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleRef {
    pub name: String,
    pub account: String,
    pub partition: String,
}

/// A ServiceAccount that carries `eks.amazonaws.com/role-arn`.
pub struct IrsaSa<'a> {
    pub sa: &'a ServiceAccount,
    pub namespace: String,
    pub name: String,
    pub arn: String,
    pub audience: String,
    pub role: Option<RoleRef>,
    pub verdict: Verdict,
}

impl IrsaSa<'_> {
    pub fn object(&self) -> ObjectRef {
        ObjectRef::new("ServiceAccount", Some(&self.namespace), &self.name)
    }

    pub fn view<'v>(&self, views: &'v mut Views) -> &'v View {
        views.object("ServiceAccount", Some(&self.namespace), &self.name, self.sa)
    }

    pub fn worsen(&mut self, v: Verdict) {
        self.verdict = self.verdict.max(v);
    }
}

/// Everything the checks share.
pub struct Ctx<'a> {
    pub snap: &'a Snapshot,
    /// The cluster's issuer without `https://`.
    pub issuer: Option<String>,
    pub sas: Vec<IrsaSa<'a>>,
    pub roles: BTreeMap<String, Result<RoleInfo, IamError>>,
    pub views: Views,
    pub findings: Vec<Finding>,
    pub faults: Vec<Fault>,
    /// The EKS cluster and its Pod Identity associations, when doctor could name the cluster.
    pub eks: Option<crate::doctor::pod_identity::EksState>,
}

impl<'a> Ctx<'a> {
    pub fn new(snap: &'a Snapshot) -> Self {
        let issuer = snap.issuer.as_deref().map(issuer_host);
        let sas = snap
            .service_accounts
            .iter()
            .flatten()
            .filter_map(irsa_sa)
            .collect();
        Ctx {
            snap,
            issuer,
            sas,
            roles: BTreeMap::new(),
            views: Views::default(),
            findings: Vec::new(),
            faults: snap.faults.clone(),
            eks: None,
        }
    }

    pub fn push(&mut self, f: Finding) {
        self.findings.push(f);
    }
}

/// Run one check; a panic inside it (a bug) becomes an IRSA100 "could not verify" finding for
/// what the check covers, and the other checks still run.
pub fn guarded<'a, T: Default>(
    ctx: &mut Ctx<'a>,
    name: &str,
    check: impl FnOnce(&mut Ctx<'a>) -> T,
) -> T {
    let outcome = isolate(|| {
        internal_error::debug_trigger("check", name);
        check(ctx)
    });
    outcome.unwrap_or_else(|p| {
        ctx.push(
            Finding::new(
                &CouldNotVerify::META,
                format!("could not verify what the `{name}` check covers: internal error in doctor: {p}; please report it"),
            )
            .help(internal_error::HELP),
        );
        T::default()
    })
}

/// The issuer as IAM writes it in provider ARNs and condition keys: no scheme, no trailing `/`.
pub fn issuer_host(issuer: &str) -> String {
    issuer
        .trim()
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string()
}

/// What IAM will be asked about a page of ServiceAccounts, before any check runs: the role
/// names (GetRole) and, with the issuer, the provider ARNs (GetOpenIDConnectProvider), exactly
/// as `role::wanted` and `provider::wanted` will find them once the snapshot is in.
pub fn lookups(
    issuer: Option<&str>,
    page: &[ServiceAccount],
) -> (BTreeSet<String>, BTreeSet<String>) {
    let issuer = issuer.map(issuer_host);
    let (mut roles, mut providers) = (BTreeSet::new(), BTreeSet::new());
    for sa in page.iter().filter_map(irsa_sa) {
        let Some(role) = arn::role_ref(&sa.arn) else {
            continue;
        };
        if let Some(issuer) = &issuer {
            providers.insert(provider::arn_for(&role, issuer));
        }
        roles.insert(role.name);
    }
    (roles, providers)
}

fn irsa_sa(sa: &ServiceAccount) -> Option<IrsaSa<'_>> {
    let ann = sa.metadata.annotations.as_ref()?;
    let arn = ann.get(ROLE_ARN_ANNOTATION)?;
    let audience = ann
        .get(AUDIENCE_ANNOTATION)
        .filter(|a| !a.trim().is_empty())
        .map_or(DEFAULT_AUDIENCE, String::as_str);
    Some(IrsaSa {
        sa,
        namespace: sa.metadata.namespace.clone().unwrap_or_default(),
        name: sa.metadata.name.clone().unwrap_or_default(),
        arn: arn.clone(),
        audience: audience.to_string(),
        role: None,
        verdict: Verdict::Ok,
    })
}

/// The one-screen summary: SA → role → verdict.
/// Rows beyond this are folded into one line, so the table fits a screen.
const SUMMARY_ROWS: usize = 40;

pub fn summary_table(sas: &[IrsaSa<'_>]) -> String {
    let mut order: Vec<&IrsaSa<'_>> = sas.iter().collect();
    // Worst first, then by name; stable for deterministic output.
    order.sort_by(|a, b| {
        b.verdict
            .cmp(&a.verdict)
            .then_with(|| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)))
    });
    let hidden = order.len().saturating_sub(SUMMARY_ROWS);
    let rows: Vec<[String; 3]> = order
        .iter()
        .take(SUMMARY_ROWS)
        .map(|s| {
            let role = s
                .role
                .as_ref()
                .map_or(s.arn.clone(), |r| format!("{} ({})", r.name, r.account));
            [
                format!("{}/{}", s.namespace, s.name),
                role,
                s.verdict.as_str().to_string(),
            ]
        })
        .collect();
    let header = [
        "SERVICE ACCOUNT".to_string(),
        "ROLE".to_string(),
        "VERDICT".to_string(),
    ];
    let width = |i: usize| {
        rows.iter()
            .map(|r| r[i].chars().count())
            .chain([header[i].len()])
            .max()
            .unwrap_or(0)
    };
    let (w0, w1) = (width(0), width(1));
    let mut out = String::new();
    for r in std::iter::once(&header).chain(rows.iter()) {
        out.push_str(&format!("{:<w0$}  {:<w1$}  {}\n", r[0], r[1], r[2]));
    }
    if hidden > 0 {
        let ok = order
            .iter()
            .skip(SUMMARY_ROWS)
            .filter(|s| s.verdict == Verdict::Ok)
            .count();
        out.push_str(&format!("... and {hidden} more ({ok} OK)\n"));
    }
    if rows.is_empty() {
        out.push_str("(no ServiceAccount carries eks.amazonaws.com/role-arn)\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sa(name: &str, arn: Option<&str>) -> ServiceAccount {
        let mut sa = ServiceAccount::default();
        sa.metadata.name = Some(name.into());
        sa.metadata.namespace = Some("ns".into());
        if let Some(a) = arn {
            sa.metadata.annotations =
                Some([(ROLE_ARN_ANNOTATION.to_string(), a.to_string())].into());
        }
        sa
    }

    #[test]
    fn lookups_are_what_the_checks_will_ask() {
        let page = [
            sa("a", Some(" arn:aws:iam::111122223333:role/path/app ")),
            sa("b", Some("arn:aws:iam::111122223333:role/app")),
            sa("c", Some("arn:aws-cn:iam::444455556666:role/other")),
            sa("d", Some("not-an-arn")),
            sa("e", None),
        ];
        let (roles, providers) = lookups(Some("https://oidc.example/id/X/"), &page);
        assert_eq!(roles.into_iter().collect::<Vec<_>>(), ["app", "other"]);
        assert_eq!(
            providers.into_iter().collect::<Vec<_>>(),
            [
                "arn:aws-cn:iam::444455556666:oidc-provider/oidc.example/id/X",
                "arn:aws:iam::111122223333:oidc-provider/oidc.example/id/X",
            ]
        );
        let (roles, providers) = lookups(None, &page);
        assert_eq!(roles.len(), 2);
        assert!(providers.is_empty());
    }
}
