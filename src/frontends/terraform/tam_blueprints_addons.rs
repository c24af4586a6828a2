//! aws-ia/eks-blueprints-addons (plural) 1.x: see `data/blueprints_addons.tsv`.

use hcl_edit::structure::Block;

use super::eval::Eval;
use super::lower::Lowered;
use super::value::{FileId, Value};

pub fn selects(_source: &str, _version: Option<&str>) -> Option<Result<(), String>> {
    None
}

pub fn lower(_ev: &Eval, _block: &Block, _f: FileId, _address: &str, _out: &mut Lowered) {}

pub fn output(_ev: &Eval, _block: &Block, _f: FileId, _address: &str, _out: &str) -> Option<Value> {
    None
}
