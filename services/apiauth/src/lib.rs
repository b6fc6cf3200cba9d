//! KongFlow service `apiauth`: its generated data layer and a repository over it.

pub mod db;
pub mod repository;
