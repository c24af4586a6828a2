//! Discovery, reading and parsing of inputs.
pub mod classify;
pub mod discover;
pub mod embedded;
pub mod schema;
pub mod source;
pub mod yaml;
