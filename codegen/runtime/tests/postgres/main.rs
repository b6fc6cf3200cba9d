//! Runtime tests against a real PostgreSQL, one test binary so that one throwaway server serves them all.

mod deadpool;
mod domains;
mod embedded_models;
mod errors;
mod every_type;
mod named_statements;
mod query_functions;
mod server_view;
mod statement_cache;
mod types;
