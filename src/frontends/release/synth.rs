//! The ServiceAccount a chart pack says a release creates, as a synthesized Kubernetes object
//! whose scalars point at the user's values (so IRSA016 and IRSA001 apply unchanged).

use std::sync::Arc;

use crate::facts::release::{HelmRelease, Place};
use crate::facts::Classified;
use crate::facts::{Object, SaOrigin, ServiceAccount, ROLE_ARN_ANNOTATION};
use crate::frontends::build::{field, mapping, scalar};
use crate::frontends::release::chartpack::{PackServiceAccount, Values};
use crate::frontends::release::{fullname, merge};
use crate::syntax::source::SourceFile;
use crate::syntax::yaml::{Entry, NodeKind, Scalar};

/// What a pack computes for one ServiceAccount of a release.
#[derive(Debug, Clone, PartialEq)]
pub struct Computed {
    pub name: String,
    pub namespace: String,
    /// Whether the chart renders the ServiceAccount object.
    pub created: bool,
    /// The role-arn annotation the object carries.
    pub role_arn: Option<String>,
}

/// The pack's formula, without spans (what the pack-against-render tests compare).
pub fn compute(release: &HelmRelease, values: &Values, sa: &PackServiceAccount) -> Computed {
    // The name follows `create` alone; the object also needs `alsoRequires` (e.g. rbac.create).
    let create = values.flag(&sa.create);
    let created = create && sa.also_requires.iter().all(|f| values.flag(f));
    let (_, full) = values.names(&release.release_name.value);
    let name = match values.text(&sa.name) {
        Some((n, _)) => n,
        // `printf "%s-webhook" … | trunc 63 | trimSuffix "-"`, as charts build derived names.
        None if create => {
            let name = values.expand(&sa.default_name, &release.release_name.value, &full, "");
            if sa.truncate {
                fullname::trunc63(&name)
            } else {
                name
            }
        }
        None => sa.name_when_not_created.clone(),
    };
    let namespace = namespace(release, values).0;
    Computed {
        name,
        namespace,
        created,
        role_arn: role_arn(values, sa).and_then(|(_, e)| e.value.as_str().map(str::to_string)),
    }
}

fn namespace<'a>(release: &'a HelmRelease, values: &Values<'a>) -> (String, Option<Place>) {
    match values.pack.namespace.as_ref().and_then(|k| values.text(k)) {
        Some((ns, hit)) => (ns, Some(Place::new(hit.file, hit.entry.value.span))),
        None => (
            release.namespace.value.clone(),
            release.namespace.place.clone(),
        ),
    }
}

/// The role-arn annotation entry (or the chart's own role ARN key), with its file.
fn role_arn<'a>(
    values: &Values<'a>,
    sa: &PackServiceAccount,
) -> Option<(&'a Arc<SourceFile>, &'a Entry)> {
    let path: Vec<&str> = sa.annotations.iter().map(String::as_str).collect();
    let annotated = merge::merged_map(values.layers, &path)
        .into_iter()
        .find(|(_, e)| e.key.as_str() == Some(ROLE_ARN_ANNOTATION));
    let enabled = sa.role_arn_enabled.as_ref().is_none_or(|f| values.flag(f));
    let own = sa
        .role_arn
        .as_ref()
        .filter(|_| enabled)
        .and_then(|k| values.hit(k))
        .map(|h| (h.file, h.entry));
    own.filter(|(_, e)| e.value.as_str().is_some_and(|v| !v.is_empty()))
        .or(annotated)
}

/// The synthesized ServiceAccount, in the file of its role ARN (else where its name, else the
/// release, is decided). `None` when the chart does not create it.
pub fn service_account(
    release: &HelmRelease,
    values: &Values,
    sa: &PackServiceAccount,
) -> Option<(Arc<SourceFile>, Classified)> {
    let computed = compute(release, values, sa);
    if !computed.created {
        return None;
    }
    let arn = role_arn(values, sa);
    let name_hit = values
        .text(&sa.name)
        .map(|(_, h)| Place::new(h.file, h.entry.value.span));
    let name_place = name_hit.or_else(|| release.release_name.place.clone());
    let origin = &release.origin.place;
    let (file, fallback) = match (&arn, &name_place) {
        (Some((f, e)), _) => ((*f).clone(), e.key.span.to(e.value.span)),
        (None, Some(p)) => (p.file.clone(), p.span),
        (None, None) => (origin.file.clone(), origin.span),
    };
    let in_file = |p: Option<&Place>| {
        p.filter(|p| p.file.display == file.display)
            .map_or(fallback, |p| p.span)
    };
    let name_span = in_file(name_place.as_ref().or(Some(origin)));
    let (ns, ns_place) = namespace(release, values);
    let ns_span = in_file(ns_place.as_ref().or(Some(origin)));
    let mut annotations: Vec<Entry> = Vec::new();
    let path: Vec<&str> = sa.annotations.iter().map(String::as_str).collect();
    for (f, e) in merge::merged_map(values.layers, &path) {
        if e.key.as_str() == Some(ROLE_ARN_ANNOTATION) || e.value.as_str().is_none() {
            continue;
        }
        let mut e = e.clone();
        if f.display != file.display {
            e.key.span = fallback;
            e.value.span = fallback;
        }
        annotations.push(e);
    }
    if let Some((_, e)) = &arn {
        // The value spans its whole `key: value` entry, as a traced render does: findings on
        // the ARN land where rule packs report the same values key, and are reported once.
        let mut value = e.value.clone();
        value.kind = NodeKind::Scalar(Scalar {
            text: value.as_str().unwrap_or_default().to_string(),
            plain: false,
        });
        value.span = e.key.span.to(e.value.span);
        annotations.push(Entry {
            key: scalar(ROLE_ARN_ANNOTATION, e.key.span),
            value,
        });
    }
    let mut metadata = vec![
        field("name", scalar(&computed.name, name_span)),
        field("namespace", scalar(&ns, ns_span)),
    ];
    if !annotations.is_empty() {
        metadata.push(field("annotations", mapping(annotations, fallback)));
    }
    let root = mapping(
        vec![
            field("apiVersion", scalar("v1", fallback)),
            field("kind", scalar("ServiceAccount", fallback)),
            field("metadata", mapping(metadata, fallback)),
        ],
        fallback,
    );
    let object = Object {
        file: file.clone(),
        kind: "ServiceAccount".into(),
        api_version: "v1".into(),
        namespace: Some(ns),
        name: computed.name,
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
    Some((file, classified))
}
