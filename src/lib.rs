//! kubectl-irsa: lint and diagnose IAM Roles for Service Accounts.
//!
//! The modules are layers; each uses only the layers above it in this list (see
//! `docs/architecture.md`; `tests/layers.rs` fails on an upward import):
//! 1. [`syntax`]: spans, the span-carrying `Node` tree, source files, the YAML/JSON reader;
//! 2. [`model`]: ARNs, policy documents, trust evaluation;
//! 3. [`diagnostics`]: findings, severities, locations, rule metadata, fix builders;
//! 4. [`facts`]: service accounts, workloads, trust policies, charts: what checks read;
//! 5. [`frontends`]: one module per input format, each lowering into syntax and facts;
//! 6. checks: [`rules`] (offline, with rule packs) and [`doctor`] (live);
//! 7. drivers: [`report`], [`config`], [`lint`], [`commands`], [`cli`], [`app`].
pub mod syntax;

pub mod model;

pub mod diagnostics;

pub mod facts;

pub mod frontends;

pub mod doctor;
pub mod rules;

pub mod app;
pub mod cli;
pub mod commands;
pub mod config;
pub mod lint;
pub mod report;
