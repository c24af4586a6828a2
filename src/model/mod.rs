//! The domain model: ARNs, IAM policies, trust evaluation.
pub mod arn;
pub mod glob;
pub mod placeholder;
pub mod policy;
pub mod trust;
