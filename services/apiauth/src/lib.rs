//! KongFlow service `apiauth`: its generated data layer and `ApiAuth` (access tokens, API keys) over it.

pub mod db;
pub mod repository;
