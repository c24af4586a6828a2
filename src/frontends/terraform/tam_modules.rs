//! The registry modules modeled beyond terraform-aws-modules/iam (`tam`) and aws-ia's
//! `eks-blueprints-addon` (`tam_blueprints`): one place that tells a call which model it selects.
//!
//! - terraform-aws-modules/eks (root, 20.x `cluster_addons`, 21.x `addons`): its EKS add-ons
//!   (`eks_addon`);
//! - terraform-aws-modules/eks `modules/karpenter` 20.x/21.x (`tam_karpenter`);
//! - aws-ia/eks-blueprints-addons 1.x (`tam_blueprints_addons`).

use hcl_edit::structure::Block;

use super::eval::Eval;
use super::lower::{Lowered, Note};
use super::tam::{input, major_of, split_source};
use super::value::{FileId, Value};

fn is_eks_repo(repo: &str) -> bool {
    repo == "terraform-aws-modules/eks/aws"
        || repo.ends_with("terraform-aws-modules/terraform-aws-eks.git")
        || repo.ends_with("terraform-aws-modules/terraform-aws-eks")
}

/// The call's `source` and `version`, evaluated.
fn source_of(ev: &Eval, block: &Block, f: FileId) -> Option<(String, Option<String>)> {
    let source = input(ev, block, f, "source")?.as_str()?.to_string();
    let version = input(ev, block, f, "version").and_then(|v| v.as_str().map(str::to_string));
    Some((source, version))
}

/// Lower a call if one of these models selects it; `false` when none does.
pub fn lower_call(
    ev: &Eval,
    block: &Block,
    f: FileId,
    source: &str,
    address: &str,
    out: &mut Lowered,
) -> bool {
    let version = input(ev, block, f, "version").and_then(|v| v.as_str().map(str::to_string));
    let version = version.as_deref();
    let note = |out: &mut Lowered, message: String| {
        out.notes.push(Note {
            file: f,
            span: ev.span(f, block),
            message,
        })
    };
    if let Some(m) = super::tam_karpenter::selects(source, version) {
        match m {
            Ok(major) => super::tam_karpenter::lower(ev, block, f, major, address, out),
            Err(why) => note(
                out,
                format!("{why}; its trust is not checked (opaque, never fetched)"),
            ),
        }
        return true;
    }
    if let Some(m) = super::tam_blueprints_addons::selects(source, version) {
        match m {
            Ok(()) => super::tam_blueprints_addons::lower(ev, block, f, address, out),
            Err(why) => note(
                out,
                format!("{why}; its roles and releases are not checked (opaque, never fetched)"),
            ),
        }
        return true;
    }
    let (repo, sub, git_ref) = split_source(source);
    if is_eks_repo(&repo) && sub.is_empty() {
        let major = version.or(git_ref.as_deref()).and_then(major_of);
        let name = if major.is_some_and(|m| m < 21) {
            "cluster_addons"
        } else {
            "addons"
        };
        let Some(addons) = input(ev, block, f, name).filter(|v| !v.is_null()) else {
            return true;
        };
        match super::eks_addon::from_module_input(&addons, address) {
            Ok(list) => list.iter().for_each(|a| super::eks_addon::lower(ev, a, out)),
            Err(what) => note(out, format!("the add-ons of `{address}` are not checked: `{name}` (`{what}`) is not known offline")),
        }
        return true;
    }
    false
}

/// A modeled call's output that names a role.
pub fn output(ev: &Eval, block: &Block, f: FileId, address: &str, out: &str) -> Option<Value> {
    let (source, version) = source_of(ev, block, f)?;
    if let Some(m) = super::tam_karpenter::selects(&source, version.as_deref()) {
        return super::tam_karpenter::output(ev, block, f, m.ok()?, address, out);
    }
    if let Some(m) = super::tam_blueprints_addons::selects(&source, version.as_deref()) {
        m.ok()?;
        return super::tam_blueprints_addons::output(ev, block, f, address, out);
    }
    None
}
