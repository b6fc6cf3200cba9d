//! KongFlow service `apivote`: its generated data layer and a repository over it.

pub mod db;
pub mod repository;
