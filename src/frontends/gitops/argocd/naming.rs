//! Names an Application decides: settings written in it or derived by an ApplicationSet
//! template, and the release name (`helm.releaseName`, else the Application's name).

use std::sync::Arc;

use super::source::Lowering;
use crate::facts::release::{Decided, Place, Setting};
use crate::frontends::gitops::appset::Generated;
use crate::syntax::source::SourceFile;
use crate::syntax::yaml::Node;

/// A setting written in the Application, or derived by an ApplicationSet template.
pub(super) fn setting(
    file: &Arc<SourceFile>,
    node: &Node,
    value: &str,
    generated: &Generated,
) -> Setting {
    let place = Place::new(file, node.span);
    match generated.derivation(node) {
        Some(why) => Setting {
            value: value.to_string(),
            place: Some(place),
            decided: Decided::Derived(why),
        },
        None => Setting::written(value, place),
    }
}

/// `helm.releaseName`, else the Application's name.
pub(super) fn release_name(lower: &Lowering, helm: Option<&Node>, name_node: &Node) -> Setting {
    match helm.and_then(|h| h.get("releaseName")) {
        Some(n) if n.as_str().is_some() => setting(
            lower.file,
            n,
            n.as_str().unwrap_or_default(),
            lower.generated,
        ),
        _ => Setting {
            value: lower.app.to_string(),
            place: Some(Place::new(lower.file, name_node.span)),
            decided: Decided::Derived(format!(
                "Argo CD: no `helm.releaseName`, so the Application's name `{}`",
                lower.app
            )),
        },
    }
}
