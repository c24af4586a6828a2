//! Discovery, reading and parsing of inputs.
pub mod aws_config;
pub mod classify;
pub mod discover;
pub mod eksa;
pub mod embedded;
pub mod pod_identity;
pub mod schema;
pub mod source;
pub mod yaml;
