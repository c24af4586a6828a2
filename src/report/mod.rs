//! Findings and their renderers.
pub mod finding;
