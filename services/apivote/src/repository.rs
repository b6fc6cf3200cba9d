//! `VoteRepository`: users voting for the API integrations they want, over the generated queries.

use std::fmt;

use sqlgen_runtime::tokio_postgres::error::SqlState;
use sqlgen_runtime::GenericClient;
use uuid::Uuid;

use crate::db::votes::CountVotesByApiRow;
use crate::db::Queries;

/// Why a vote operation failed.
#[derive(Debug)]
pub enum VoteError {
    /// The API identifier is empty or only whitespace.
    EmptyApiIdentifier,
    /// No user has this id.
    UnknownUser { user_id: Uuid },
    /// Any other database failure; `Display` shows its SQLSTATE only, the
    /// server's message is in [`VoteError::log_detail`] and `source()`.
    Database(sqlgen_runtime::Error),
}

impl VoteError {
    /// Everything about the failure, for logs: unlike `Display`, this includes
    /// the server's message and `DETAIL` (which may hold row values).
    pub fn log_detail(&self) -> String {
        shared::errors::log_detail(self)
    }
}

impl fmt::Display for VoteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VoteError::EmptyApiIdentifier => f.write_str("the API identifier is empty"),
            VoteError::UnknownUser { user_id } => write!(f, "user `{user_id}` does not exist"),
            VoteError::Database(error) => shared::errors::write_public(error, f),
        }
    }
}

impl std::error::Error for VoteError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            VoteError::Database(error) => Some(error),
            VoteError::EmptyApiIdentifier | VoteError::UnknownUser { .. } => None,
        }
    }
}

impl From<sqlgen_runtime::Error> for VoteError {
    fn from(error: sqlgen_runtime::Error) -> Self {
        VoteError::Database(error)
    }
}

/// Votes for API integrations, on any client or transaction it borrows.
#[derive(Debug)]
pub struct VoteRepository<'c, C> {
    client: &'c C,
}

impl<'c, C: GenericClient> VoteRepository<'c, C> {
    pub fn new(client: &'c C) -> Self {
        VoteRepository { client }
    }

    /// Records the user's vote for an API; `false` if they had already voted for
    /// it, in which case the first vote (and its time) is kept.
    ///
    /// One `INSERT .. ON CONFLICT DO NOTHING` on the unique (API, user) index,
    /// so concurrent votes of one user leave one vote and none fails.
    pub async fn vote(&self, api_identifier: &str, user_id: Uuid) -> Result<bool, VoteError> {
        check_identifier(api_identifier)?;
        // The key is text because the table comes from a Prisma schema with cuid
        // keys; a random UUID in text form serves the same purpose.
        let id = Uuid::new_v4().to_string();
        let created = self
            .client
            .create_vote(&id, api_identifier, user_id)
            .await
            .map_err(|error| {
                let fk = error.as_db_error().is_some_and(|db| {
                    db.code() == &SqlState::FOREIGN_KEY_VIOLATION
                        && db.constraint() == Some("ApiIntegrationVote_userId_fkey")
                });
                if fk {
                    VoteError::UnknownUser { user_id }
                } else {
                    VoteError::Database(error)
                }
            })?;
        Ok(created.is_some())
    }

    /// Withdraws the user's vote for an API; `false` if there was none.
    pub async fn unvote(&self, api_identifier: &str, user_id: Uuid) -> Result<bool, VoteError> {
        Ok(self
            .client
            .delete_vote(api_identifier, user_id)
            .await?
            .is_some())
    }

    /// Whether the user has voted for the API.
    pub async fn has_voted(&self, api_identifier: &str, user_id: Uuid) -> Result<bool, VoteError> {
        Ok(self.client.has_user_voted(api_identifier, user_id).await?)
    }

    /// How many users voted for the API.
    pub async fn count(&self, api_identifier: &str) -> Result<i64, VoteError> {
        Ok(self.client.count_votes_for_api(api_identifier).await?)
    }

    /// The `limit` most-voted APIs with their vote counts, most votes first
    /// (ties by identifier); APIs without votes do not appear.
    pub async fn most_voted(&self, limit: i64) -> Result<Vec<CountVotesByApiRow>, VoteError> {
        Ok(self.client.count_votes_by_api(limit).await?)
    }
}

fn check_identifier(api_identifier: &str) -> Result<(), VoteError> {
    if api_identifier.trim().is_empty() {
        Err(VoteError::EmptyApiIdentifier)
    } else {
        Ok(())
    }
}
