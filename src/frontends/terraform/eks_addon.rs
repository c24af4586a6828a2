//! Amazon EKS add-ons: `resource "aws_eks_addon"` and the `addons` (v21) / `cluster_addons`
//! (v20) input of terraform-aws-modules/eks, whose `aws_eks_addon.this` (main.tf at v20.37.2 and
//! v21.15.1) passes each entry's `coalesce(name, key)`, `service_account_role_arn` and
//! `pod_identity_association` through. The add-on's service account is fixed per add-on
//! (`data/eks_addons.tsv`, with the AWS docs page of each): `service_account_role_arn` makes
//! that account annotated with the role, each `pod_identity_association` an association in the
//! add-on's namespace whose account the add-on creates.

use super::eval::{iter_pairs, Eval};
use super::lower::{Lowered, Note};
use super::trust::obj;
use super::value::{FileId, Kind, Value};
use crate::frontends::manifest::classify_node;
use crate::syntax::yaml::Span;

const TABLE: &str = include_str!("data/eks_addons.tsv");

/// One row of the table: the add-on's namespace and service account (`None`: no IAM role).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AddonAccount {
    pub namespace: &'static str,
    pub service_account: Option<&'static str>,
    pub source: &'static str,
}

/// The account of add-on `name`, if the table knows it.
pub fn account_of(name: &str) -> Option<AddonAccount> {
    TABLE
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .find_map(|l| {
            let mut cols = l.split('\t');
            let (addon, ns, sa, source) = (cols.next()?, cols.next()?, cols.next()?, cols.next()?);
            (addon == name).then_some(AddonAccount {
                namespace: ns,
                service_account: (sa != "-").then_some(sa),
                source,
            })
        })
}

/// One add-on as written: its name, role and associations, and where it is.
pub struct Addon {
    pub address: String,
    pub name: Value,
    pub role_arn: Option<Value>,
    /// Objects with `role_arn` and `service_account`.
    pub associations: Vec<Value>,
    pub span: Span,
    pub file: FileId,
}

/// `resource "aws_eks_addon"`: `addon_name`, `service_account_role_arn`, and its
/// `pod_identity_association` blocks.
pub fn from_resource(
    ev: &Eval,
    block: &hcl_edit::structure::Block,
    f: FileId,
    address: &str,
) -> Option<Addon> {
    let body = ev.body_value(&block.body, f, 0);
    Some(Addon {
        address: address.to_string(),
        name: body.get("addon_name")?.clone(),
        role_arn: body.get("service_account_role_arn").cloned(),
        associations: body
            .get("pod_identity_association")
            .and_then(Value::as_list)
            .unwrap_or_default()
            .to_vec(),
        span: ev.span(f, block),
        file: f,
    })
}

/// The entries of terraform-aws-modules/eks `addons`/`cluster_addons` (a map by add-on key);
/// `Err` when the map is not known offline.
pub fn from_module_input(input: &Value, address: &str) -> Result<Vec<Addon>, String> {
    let pairs = iter_pairs(input).ok_or_else(|| input.describe())?;
    let mut out = Vec::new();
    for (key, entry) in pairs {
        let name = entry
            .get("name")
            .filter(|n| !n.is_null())
            .cloned()
            .unwrap_or_else(|| key.clone());
        let associations = match entry.get("pod_identity_association") {
            Some(v) if v.is_null() => Vec::new(),
            Some(v) => v
                .as_list()
                .map(<[Value]>::to_vec)
                .unwrap_or_else(|| vec![v.clone()]),
            None => Vec::new(),
        };
        let k = key.to_text().unwrap_or_default();
        out.push(Addon {
            address: format!("{address}.aws_eks_addon.this[\"{k}\"]"),
            name,
            role_arn: entry
                .get("service_account_role_arn")
                .filter(|v| !v.is_null())
                .cloned(),
            associations,
            span: entry.span,
            file: entry.file,
        });
    }
    Ok(out)
}

/// Lower one add-on: the service account it annotates, the associations it makes.
pub fn lower(ev: &Eval, addon: &Addon, out: &mut Lowered) {
    let f = addon.file;
    let role = addon.role_arn.as_ref().filter(|v| !v.is_null());
    if role.is_none() && addon.associations.is_empty() {
        return;
    }
    let note = |out: &mut Lowered, message: String| {
        out.notes.push(Note {
            file: f,
            span: addon.span,
            message,
        })
    };
    let Some(name) = addon.name.as_str() else {
        let why = format!(
            "`{}` is not checked: its add-on name `{}` is not known offline",
            addon.address,
            addon.name.describe()
        );
        return note(out, why);
    };
    let account = account_of(name);
    let Some((namespace, sa)) = account.and_then(|a| Some((a.namespace, a.service_account?)))
    else {
        let why = match account {
            Some(_) => format!("add-on `{name}` runs no service account that takes an IAM role"),
            None => format!(
                "the service account of add-on `{name}` is not known (not in the add-on table)"
            ),
        };
        return note(
            out,
            format!("the role of `{}` is not checked: {why}", addon.address),
        );
    };
    let file = ev.files.get(f);
    let ns = Value::str(namespace, addon.name.span, f);
    if let Some(arn) = role.filter(|r| r.has_unknown()) {
        let why = format!(
            "its `service_account_role_arn` (`{}`) is not known offline",
            arn.describe()
        );
        note(
            out,
            format!("the role of `{}` is not checked: {why}", addon.address),
        );
    }
    if let Some(arn) = role.filter(|r| !r.has_unknown()) {
        let node = service_account(&addon.name, &ns, sa, arn, addon.span, f).to_node();
        classify_node(&file, &node, None, &mut out.classified);
    }
    for (i, a) in addon.associations.iter().enumerate() {
        let field = |k: &str| -> Option<Value> {
            match k {
                "namespace" => Some(ns.clone()),
                "role_arn" | "service_account" => a.get(k).cloned(),
                _ => None,
            }
        };
        let address = format!("{}.pod_identity_association[{i}]", addon.address);
        let node = super::sa::pod_identity_cr(&address, &field, a.span, f);
        let before = out.classified.pod_identity_associations.len();
        classify_node(&file, &node, None, &mut out.classified);
        // The add-on creates its service account with the association.
        for p in &mut out.classified.pod_identity_associations[before..] {
            p.creates_service_account = true;
        }
    }
}

/// The add-on's service account, annotated with the role (the name and namespace at the
/// add-on's name, the annotation at the role's value).
fn service_account(
    name: &Value,
    ns: &Value,
    sa: &str,
    arn: &Value,
    span: Span,
    f: FileId,
) -> Value {
    let annotations = Value::new(
        Kind::Map(vec![(
            Value::str("eks.amazonaws.com/role-arn", arn.span, f),
            arn.clone(),
        )]),
        arn.span,
        f,
    );
    let metadata = obj(
        vec![
            ("name", name.span, Value::str(sa, name.span, f)),
            ("namespace", name.span, ns.clone()),
            ("annotations", arn.span, annotations),
        ],
        name.span,
        f,
    );
    obj(
        vec![
            ("apiVersion", span, Value::str("v1", span, f)),
            ("kind", span, Value::str("ServiceAccount", span, f)),
            ("metadata", name.span, metadata),
        ],
        span,
        f,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_has_four_columns_and_a_source() {
        for l in TABLE.lines().filter(|l| !l.starts_with('#')) {
            let cols: Vec<&str> = l.split('\t').collect();
            assert_eq!(cols.len(), 4, "{l}");
            assert!(cols[3].starts_with("https://docs.aws.amazon.com/"), "{l}");
        }
        let ebs = account_of("aws-ebs-csi-driver").unwrap();
        assert_eq!(
            (ebs.namespace, ebs.service_account),
            ("kube-system", Some("ebs-csi-controller-sa"))
        );
        assert_eq!(
            account_of("eks-pod-identity-agent")
                .unwrap()
                .service_account,
            None
        );
        assert!(account_of("made-up").is_none());
    }
}
