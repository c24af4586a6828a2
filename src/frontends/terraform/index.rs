//! What one module directory declares, by name: variables, locals, resources, data, modules.

use std::collections::HashMap;

use hcl_edit::structure::{Attribute, Block, Body};

use super::value::FileId;

#[derive(Default)]
pub struct Index<'a> {
    pub variables: HashMap<&'a str, (FileId, &'a Block)>,
    pub locals: HashMap<&'a str, (FileId, &'a Attribute)>,
    pub outputs: HashMap<&'a str, (FileId, &'a Block)>,
    /// `resource` blocks by `(type, name)`.
    pub resources: HashMap<(&'a str, &'a str), (FileId, &'a Block)>,
    pub data: HashMap<(&'a str, &'a str), (FileId, &'a Block)>,
    pub modules: HashMap<&'a str, (FileId, &'a Block)>,
    /// Every resource, data and module block in file order: `(kind, file, block)`.
    pub order: Vec<(&'a str, FileId, &'a Block)>,
}

impl<'a> Index<'a> {
    pub fn build(bodies: &'a [(FileId, Body)]) -> Self {
        let mut ix = Index::default();
        for (f, body) in bodies {
            for block in body.blocks() {
                let labels: Vec<&str> = block.labels.iter().map(|l| l.as_str()).collect();
                match (block.ident.as_str(), labels.as_slice()) {
                    ("variable", [name]) => {
                        ix.variables.insert(name, (*f, block));
                    }
                    ("output", [name]) => {
                        ix.outputs.insert(name, (*f, block));
                    }
                    ("locals", []) => {
                        for attr in block.body.attributes() {
                            ix.locals.insert(attr.key.as_str(), (*f, attr));
                        }
                    }
                    ("resource", [ty, name]) => {
                        ix.resources.insert((ty, name), (*f, block));
                        ix.order.push(("resource", *f, block));
                    }
                    ("data", [ty, name]) => {
                        ix.data.insert((ty, name), (*f, block));
                        ix.order.push(("data", *f, block));
                    }
                    ("module", [name]) => {
                        ix.modules.insert(name, (*f, block));
                        ix.order.push(("module", *f, block));
                    }
                    _ => {}
                }
            }
        }
        ix
    }

    /// The names of the variables the module declares.
    pub fn variable_names(&self) -> impl Iterator<Item = String> + '_ {
        self.variables.keys().map(|k| k.to_string())
    }
}

/// A block's labels (`resource "aws_iam_role" "x"` → `["aws_iam_role", "x"]`).
pub fn labels(block: &Block) -> Vec<&str> {
    block.labels.iter().map(|l| l.as_str()).collect()
}
