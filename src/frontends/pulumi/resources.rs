//! The resources of a Pulumi stack export or preview, and their values with secrets and
//! unknowns taken out.
//!
//! Shapes (pulumi/pulumi, Apache-2.0): `pulumi stack export` writes an `UntypedDeployment`
//! (`{"version": N, "deployment": {"manifest", "resources": [ResourceV3…]}}`,
//! `sdk/go/common/apitype/core.go`, `deployments.json`); `pulumi preview --json` writes a
//! `PreviewDigest` (`{"steps": [{"op", "urn", "newState": ResourceV3}], "changeSummary"…}`,
//! `pkg/display/json.go`). A `ResourceV3` has `urn`, `type`, `inputs`, `outputs`, `parent`.
//! Secrets are `{"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
//! "ciphertext"|"plaintext"|"value": …}` (`sdk/go/common/resource/sig`); a value not known
//! before apply is one of the sentinel strings of `sdk/go/common/resource/plugin/rpc.go`.

use crate::syntax::yaml::{Node, NodeKind};

/// The signature key and value that mark a secret object.
pub const SECRET_SIG_KEY: &str = "4dabf18193072939515e22adb298388d";
pub const SECRET_SIG: &str = "1b47061264138c4ac30d75fd1eb44270";

/// `UnknownStringValue`, `UnknownBoolValue`, `UnknownNumberValue`, `UnknownArrayValue`
/// (`sdk/go/common/resource/plugin/rpc.go`).
const UNKNOWN_SENTINELS: &[&str] = &[
    "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
    "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",
    "3eeb2bf0-c639-47a8-9e75-3b44932eb421",
    "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",
];

/// Deployment schema versions read: 1–3 (`DeploymentV1`…`V3`, the same resource fields), and 4
/// (version 3 with a top-level `features` list, `deployments.json`).
pub const VERSIONS: std::ops::RangeInclusive<i64> = 1..=4;

/// One resource: its URN, type token, and the property maps read (outputs first: what was
/// deployed; then inputs: what the program asked for).
pub struct Resource<'a> {
    pub urn: &'a str,
    pub kind: &'a str,
    pub node: &'a Node,
    pub outputs: Option<&'a Node>,
    pub inputs: Option<&'a Node>,
}

impl<'a> Resource<'a> {
    fn read(node: &'a Node) -> Option<Self> {
        Some(Resource {
            urn: node.str_at(&["urn"])?,
            kind: node.str_at(&["type"])?,
            node,
            outputs: node.get("outputs").filter(|o| o.as_map().is_some()),
            inputs: node.get("inputs").filter(|o| o.as_map().is_some()),
        })
    }

    /// The resource's name: the last `::` part of its URN.
    pub fn name(&self) -> &'a str {
        self.urn.rsplit("::").next().unwrap_or(self.urn)
    }

    /// The property as written: inputs first when `inputs_first` (what the user wrote, with
    /// its spans), else outputs first. A secret or unknown value is `None`.
    pub fn prop(&self, key: &str, inputs_first: bool) -> Option<&'a Node> {
        let order = if inputs_first {
            [self.inputs, self.outputs]
        } else {
            [self.outputs, self.inputs]
        };
        order
            .into_iter()
            .flatten()
            .filter_map(|m| m.get(key))
            .find(|v| !v.is_null() && !is_secret(v) && !is_unknown(v))
    }

    /// A property that is a secret or unknown where it is set (it stays symbolic).
    pub fn prop_unknown(&self, key: &str) -> bool {
        [self.outputs, self.inputs]
            .into_iter()
            .flatten()
            .filter_map(|m| m.get(key))
            .any(|v| is_unknown(v) || is_secret(v))
    }
}

pub fn is_secret(node: &Node) -> bool {
    node.str_at(&[SECRET_SIG_KEY]) == Some(SECRET_SIG)
}

pub fn is_unknown(node: &Node) -> bool {
    node.as_str()
        .is_some_and(|s| UNKNOWN_SENTINELS.contains(&s))
}

/// `node` with every secret object and unknown value removed (a map entry or list item holding
/// one is dropped): what is left is known, and read as written.
pub fn known_tree(node: &Node) -> Node {
    let kind = match &node.kind {
        NodeKind::Scalar(_) => return node.clone(),
        NodeKind::Seq(items) => NodeKind::Seq(
            items
                .iter()
                .filter(|i| !is_secret(i) && !is_unknown(i))
                .map(known_tree)
                .collect(),
        ),
        NodeKind::Map(entries) => NodeKind::Map(
            entries
                .iter()
                .filter(|e| !is_secret(&e.value) && !is_unknown(&e.value))
                .map(|e| crate::syntax::yaml::Entry {
                    key: e.key.clone(),
                    value: known_tree(&e.value),
                })
                .collect(),
        ),
    };
    Node {
        kind,
        span: node.span,
    }
}

/// What a file is, by shape.
pub enum Shape<'a> {
    /// A stack export or preview, with its resources.
    Read(Vec<Resource<'a>>),
    /// A stack export of a version this reader does not know: the `version` node.
    UnknownVersion(&'a Node),
}

/// The resources of `root` when it is an export (`version` + `deployment.resources` or
/// `deployment.manifest`) or a preview (`steps` whose items have `urn` and `op`); `None`: neither.
pub fn shape(root: &Node) -> Option<Shape<'_>> {
    root.as_map()?;
    if let Some(deployment) = root.get("deployment").filter(|d| d.as_map().is_some()) {
        let version = root.get("version")?;
        let looks = deployment.get("manifest").is_some() || deployment.get("resources").is_some();
        if !looks {
            return None;
        }
        let known = version
            .as_str()
            .and_then(|v| v.parse::<i64>().ok())
            .is_some_and(|v| VERSIONS.contains(&v) && version.scalar().is_some_and(|s| s.plain));
        if !known {
            return Some(Shape::UnknownVersion(version));
        }
        let resources = deployment.get("resources").and_then(Node::as_seq);
        let read = resources
            .unwrap_or_default()
            .iter()
            .filter_map(Resource::read);
        return Some(Shape::Read(read.collect()));
    }
    let steps = root.get("steps")?.as_seq()?;
    let is_step = |s: &Node| s.get("urn").is_some() && s.get("op").is_some();
    if steps.is_empty() || !steps.iter().all(is_step) {
        return None;
    }
    // A step's new state; a deleted resource has none and is gone after the update.
    let read = steps
        .iter()
        .filter(|s| {
            let op = s.str_at(&["op"]).unwrap_or("");
            !op.starts_with("delete") && !op.starts_with("discard")
        })
        .filter_map(|s| s.get("newState"))
        .filter_map(Resource::read);
    Some(Shape::Read(read.collect()))
}
