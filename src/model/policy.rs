use crate::input::yaml::{Node, Span};
#[derive(Debug, Clone)]
pub struct PolicyDocument;
#[derive(Debug, Clone)]
pub struct PolicyError {
    pub message: String,
    pub span: Span,
}
pub fn parse_policy(_n: &Node) -> Result<PolicyDocument, PolicyError> {
    Ok(PolicyDocument)
}
pub fn looks_like_policy(n: &Node) -> bool {
    n.get("Statement").is_some()
}
pub fn is_trust_policy(_d: &PolicyDocument) -> bool {
    true
}
