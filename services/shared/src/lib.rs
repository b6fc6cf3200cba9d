//! KongFlow service `shared`: its generated data layer, the core entities' service and a repository over it.

pub mod api_keys;
pub mod db;
pub mod errors;
pub mod repository;
pub mod service;
