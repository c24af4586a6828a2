//! Discovery, reading and parsing of inputs.
pub mod source;
pub mod yaml;
