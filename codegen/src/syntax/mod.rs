//! Everything that reads SQL text: the only importer of the sqlparser parser.

pub mod directives;
pub mod fallback;
pub mod keywords;
pub mod migration;
pub mod parse;
pub mod query_file;
pub mod rewrite;
pub mod scan;
