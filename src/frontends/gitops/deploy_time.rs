//! Release values that are wholly a placeholder filled in at deploy time (`values: ${user_values}`
//! in an Application that Terraform's `templatefile()` or a pipeline renders): the release is
//! linted without that layer, and a note says the layer was not read.

use std::sync::Arc;

use crate::diagnostics::finding::{Finding, Location};
use crate::diagnostics::input::DeployTimePlaceholder;
use crate::facts::release::Place;
use crate::model::arn::whole_placeholder;
use crate::syntax::source::SourceFile;
use crate::syntax::yaml::Node;

/// When `values` (the node of `key` in `object`) is a scalar that is wholly a placeholder: its
/// place, and the IRSA053 note that says so.
pub fn placeholder_values(
    file: &Arc<SourceFile>,
    values: &Node,
    object: &str,
    key: &str,
) -> Option<(Place, Finding)> {
    let text = values.as_str()?;
    let found = whole_placeholder(text)?;
    let note = Finding::new(
        &DeployTimePlaceholder::META,
        format!(
            "{object}: `{key}` is `{}`, set at deploy time: the release is linted without these values",
            found.text
        ),
    )
    .at(Location::new(file, values.span))
    .help("lint the rendered object (or give the values in the tree) to check them");
    Some((Place::new(file, values.span), note))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_values_string_that_is_one_placeholder_is_set_at_deploy_time() {
        let text = "values: |\n  ${user_values_yaml}\nobject: {a: 1}\n";
        let file = Arc::new(SourceFile::new("app.yaml", "app.yaml", text));
        let root = crate::syntax::yaml::parse(text).documents.remove(0).root;
        let values = root.get("values").unwrap();
        let (place, note) =
            placeholder_values(&file, values, "Application `x`", "helm.values").unwrap();
        assert_eq!(place.span, values.span);
        assert_eq!(note.code, "IRSA053");
        assert!(
            note.message.contains("${user_values_yaml}"),
            "{}",
            note.message
        );
        assert!(placeholder_values(&file, root.get("object").unwrap(), "x", "y").is_none());
    }
}
