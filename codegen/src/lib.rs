//! sqlgen: PostgreSQL migrations and annotated queries in, typed Rust modules out.
//!
//! The pipeline is `config -> load (syntax, catalog, analyze) -> link -> emit -> write`; only
//! [`load`] and [`write`] touch the filesystem. This file declares the modules and re-exports the
//! public API: [`load()`] gives a [`Project`], whose `generate` gives each package's files.

// Diagnostics are the cold path and carry their labels inline; boxing them would only add noise.
#![allow(clippy::result_large_err)]

pub mod analyze;
pub mod build;
pub mod catalog;
pub mod config;
#[cfg(feature = "cli")]
pub mod describe;
pub mod diagnostics;
pub mod emit;
#[cfg(feature = "cli")]
pub mod init;
pub mod ir;
mod link;
pub mod load;
pub mod parallel;
mod project;
#[cfg(feature = "cli")]
pub mod rustfmt;
#[cfg(feature = "cli")]
pub mod scaffold;
pub mod source;
pub mod syntax;
mod text_analysis;
pub mod timings;
pub mod write;

pub use load::{load, MAX_QUERIES};
pub use parallel::with_analysis_stack;
pub use project::{AnalyzedPackage, GeneratedPackage, Project};
pub use text_analysis::{analysis_text, analyze_text, analyze_text_each, compact, NamedAnalysis};
