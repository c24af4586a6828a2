//! Layer 1: text and trees. Source files and positions, the span-carrying `Node` tree, and the
//! readers that build it (YAML/JSON, JSON embedded in strings). Knows nothing of IAM or Kubernetes.
pub mod embedded;
pub mod hcl;
pub mod hcl_balance;
pub mod hcl_dupkeys;
pub mod schema;
pub mod source;
pub mod span_map;
pub mod yaml;

/// Parsed trees that nothing reads any more but that are costly to free (a Terraform tree's
/// syntax is thousands of small allocations). They are kept to the end of a run: a library
/// caller frees them with the result, the CLI leaves them to the OS as it exits.
#[derive(Default)]
pub struct Retired(Vec<Box<dyn std::any::Any + Send>>);

impl Retired {
    pub fn keep<T: Send + 'static>(&mut self, value: T) {
        self.0.push(Box::new(value));
    }

    pub fn append(&mut self, other: &mut Retired) {
        self.0.append(&mut other.0);
    }
}
