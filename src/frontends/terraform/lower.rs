//! Walk one module instance: every resource and module block (each `count`/`for_each`
//! instance), lowered into trust policies, manifests and notes. Local modules are followed.

use std::sync::Arc;

use hcl_edit::structure::Block;

use super::computed::{role_key, role_name_path};
use super::eval::Eval;
use super::index::labels;
use super::refs::instances;
use super::symbolic::settle_symbolic_provider;
use super::trust::text_node;
use super::value::FileId;
use crate::diagnostics::finding::ObjectRef;
use crate::facts::Classified;
use crate::facts::{PolicyInput, PolicySource};
use crate::frontends::manifest::classify_node;
use crate::model::policy::parse_policy;
use crate::syntax::yaml::{Node, Span};

/// Something the front-end could not check, said as a note.
#[derive(Debug, Clone)]
pub struct Note {
    pub file: FileId,
    pub span: Span,
    pub message: String,
}

#[derive(Default)]
pub struct Lowered {
    pub classified: Classified,
    pub notes: Vec<Note>,
    /// `helm_release` blocks, for the release resolver.
    pub releases: Vec<crate::facts::release::HelmRelease>,
    /// Values a root-level `var.x` took from the variable's default: file, span, name.
    pub defaults: Vec<(FileId, Span, String)>,
    /// Documents used from another file (see [`Related`]).
    pub related: Vec<Related>,
}

/// A document written in one place (a policy document, a template file) and used by a block
/// elsewhere: findings inside the document also point at the block.
#[derive(Debug, Clone)]
pub struct Related {
    pub file: FileId,
    pub span: Span,
    pub user_file: FileId,
    pub user: Span,
    pub message: String,
}

pub fn lower_module(ev: &Eval, out: &mut Lowered) {
    lower_blocks(ev, &ev.ix.order, out);
}

/// Lower some of a module's resource and module blocks (`Index::order`), in order.
pub(super) fn lower_blocks(ev: &Eval, blocks: &[(&str, FileId, &Block)], out: &mut Lowered) {
    for (kind, f, block) in blocks.iter().copied() {
        let l = labels(block);
        let (ty, name) = match (kind, l.as_slice()) {
            ("resource", [ty, name]) => (*ty, *name),
            ("module", [name]) => ("module", *name),
            _ => continue,
        };
        if kind == "resource" && !is_lowered(ty) {
            continue;
        }
        let Some(insts) = instances(ev, block, f) else {
            note(ev, out, f, block, format!("`{ty}.{name}` repeats over a collection that is not known offline; not checked"));
            continue;
        };
        for (key, binds) in insts {
            let base = format!("{}{}.{name}", ev.ctx.address, ty);
            let address = if key.is_empty() {
                base
            } else {
                format!("{base}.{key}")
            };
            ev.with_bound(binds, || {
                if kind == "module" {
                    lower_call(ev, block, f, name, &address, out);
                } else {
                    lower_resource(ev, ty, &address, block, f, out);
                }
            });
        }
    }
}

fn is_lowered(ty: &str) -> bool {
    matches!(
        ty,
        "aws_iam_role"
            | "kubernetes_service_account"
            | "kubernetes_service_account_v1"
            | "kubernetes_annotations"
            | "kubernetes_manifest"
            | "kubectl_manifest"
            | "aws_eks_pod_identity_association"
            | "helm_release"
            | "aws_eks_addon"
    )
}

fn note(ev: &Eval, out: &mut Lowered, f: FileId, block: &Block, message: String) {
    out.notes.push(Note {
        file: f,
        span: ev.span(f, block),
        message,
    });
}

fn lower_resource(ev: &Eval, ty: &str, address: &str, block: &Block, f: FileId, out: &mut Lowered) {
    let file = ev.files.get(f);
    if ty == "aws_iam_role" {
        let Some(attr) = block.body.get_attribute("assume_role_policy") else {
            return;
        };
        let v = ev.home_value(&attr.value, f);
        let (name, _) = role_name_path(ev, block, f);
        let key = role_key(name.as_deref(), address);
        let object = ObjectRef::new("aws_iam_role", None, address);
        let home = ev.files.get(v.file);
        if v.file != f {
            out.related.push(Related {
                file: v.file,
                span: v.span,
                user_file: f,
                user: ev.span(f, &attr.value),
                message: format!("the trust policy of role `{key}` ({address}) uses this document"),
            });
        }
        push_trust(
            ev,
            &home,
            f,
            text_node(&v, &home),
            key,
            object,
            ev.span(f, &attr.value),
            &v.describe(),
            out,
        );
        return;
    }
    if ty == "aws_eks_addon" {
        if let Some(addon) = super::eks_addon::from_resource(ev, block, f, address) {
            super::eks_addon::lower(ev, &addon, out);
        }
        return;
    }
    if ty == "helm_release" {
        match super::helm::release(ev, address, block, f) {
            Ok(r) => out.releases.push(r),
            Err(why) => note(
                ev,
                out,
                f,
                block,
                format!("`{address}` is not checked: {why}"),
            ),
        }
        return;
    }
    for node in super::sa::manifests(ev, ty, address, block, f) {
        classify_node(&file, &node, None, &mut out.classified);
    }
}

#[allow(clippy::too_many_arguments)]
pub(super) fn push_trust(
    ev: &Eval,
    file: &Arc<crate::syntax::source::SourceFile>,
    f: FileId,
    node: Option<Node>,
    key: String,
    object: ObjectRef,
    span: Span,
    what: &str,
    out: &mut Lowered,
) {
    let Some(mut node) = node else {
        out.notes.push(Note {
            file: f,
            span,
            message: format!(
                "the trust policy of role `{key}` is not known offline (`{what}`); not checked"
            ),
        });
        return;
    };
    if let Some(unknown) = settle_symbolic_provider(&mut node) {
        out.notes.push(Note {
            file: f,
            span,
            message: format!("the trust policy of role `{key}` depends on `{unknown}`, which is not known offline; not checked"),
        });
        return;
    }
    let _ = ev;
    out.classified.policies.push(PolicyInput {
        file: file.clone(),
        parsed: parse_policy(&node),
        node,
        source: PolicySource::CustomResource(object),
        role_name: Some(key),
    });
}

fn lower_call(ev: &Eval, block: &Block, f: FileId, name: &str, address: &str, out: &mut Lowered) {
    let file = ev.files.get(f);
    let source = block
        .body
        .get_attribute("source")
        .map(|a| ev.eval(&a.value, f));
    let Some(source) = source.as_ref().and_then(|s| s.as_str().map(str::to_string)) else {
        return;
    };
    if source.starts_with("./") || source.starts_with("../") {
        // An instance of a `count`/`for_each` call is its own address (`module.x.one.…`), so
        // the roles of two instances are two roles.
        let instance = address
            .strip_prefix(ev.ctx.address.as_str())
            .and_then(|a| a.strip_prefix("module."))
            .unwrap_or(name);
        let followed = ev.with_child(block, f, instance, |child| lower_module(child, out));
        if followed.is_none() {
            note(ev, out, f, block, format!("local module `{source}` is not followed (outside the tree, missing, too deep, or a cycle)"));
        }
        return;
    }
    let version = block
        .body
        .get_attribute("version")
        .map(|a| ev.eval(&a.value, f));
    if super::tam_modules::lower_call(ev, block, f, &source, address, out) {
        return;
    }
    match super::tam_blueprints::selects(&source, version.as_ref().and_then(|v| v.as_str())) {
        Some(Ok(())) => return super::tam_blueprints::lower(ev, block, f, address, out),
        Some(Err(why)) => {
            let why =
                format!("{why}; its trust and release are not checked (opaque, never fetched)");
            return note(ev, out, f, block, why);
        }
        None => {}
    }
    match super::tam::model_of(&source, version.as_ref().and_then(|v| v.as_str())) {
        Ok(model) => {
            let Some(role) = super::tam::role(ev, block, f, model, address) else {
                return;
            };
            let object = ObjectRef::new("module", None, address);
            let span = ev.span(f, block);
            if model == super::tam::Model::PodIdentity {
                let arn = super::computed::role_arn(&role.key, role.path.as_deref());
                let arn = super::value::Value::str(arn, span, f);
                for node in super::tam_pod_identity::associations(ev, block, f, address, &arn) {
                    classify_node(&file, &node, None, &mut out.classified);
                }
            }
            push_trust(
                ev,
                &file,
                f,
                Some(role.doc.to_node()),
                role.key,
                object,
                span,
                address,
                out,
            );
        }
        Err(why) => {
            if looks_like_iam(&source) {
                note(
                    ev,
                    out,
                    f,
                    block,
                    format!("{why}; its trust is not checked (opaque, never fetched)"),
                );
            }
        }
    }
}

/// Only modules that may make IAM roles are worth a note when opaque (`iam-policy` is not one).
fn looks_like_iam(source: &str) -> bool {
    let s = source.to_ascii_lowercase();
    [
        "role",
        "irsa",
        "service-account",
        "pod-identity",
        "eks-blueprints-addon",
    ]
    .iter()
    .any(|w| s.contains(w))
}
