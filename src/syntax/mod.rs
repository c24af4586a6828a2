//! Layer 1: text and trees. Source files and positions, the span-carrying `Node` tree, and the
//! readers that build it (YAML/JSON, JSON embedded in strings). Knows nothing of IAM or Kubernetes.
pub mod embedded;
pub mod hcl;
pub mod hcl_balance;
pub mod schema;
pub mod source;
pub mod span_map;
pub mod yaml;
