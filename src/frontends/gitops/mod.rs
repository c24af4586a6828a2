//! GitOps release objects: what Flux and Argo CD will apply, read from the objects that say so.

pub mod appset;
pub mod argocd;
pub mod flux;
pub mod helmrelease;
pub mod values_from;
