//! `VoteRepository`: users voting for the API integrations they want, over the generated queries.

use sqlgen_runtime::{Error, GenericClient};
use uuid::Uuid;

use crate::db::Queries;

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
    pub async fn vote(&self, api_identifier: &str, user_id: Uuid) -> Result<bool, Error> {
        // The key is text because the table comes from a Prisma schema with cuid
        // keys; a random UUID in text form serves the same purpose.
        let id = Uuid::new_v4().to_string();
        let created = self
            .client
            .create_vote(&id, api_identifier, user_id)
            .await?;
        Ok(created.is_some())
    }

    /// Withdraws the user's vote for an API; `false` if there was none.
    pub async fn unvote(&self, api_identifier: &str, user_id: Uuid) -> Result<bool, Error> {
        Ok(self
            .client
            .delete_vote(api_identifier, user_id)
            .await?
            .is_some())
    }

    /// Whether the user has voted for the API.
    pub async fn has_voted(&self, api_identifier: &str, user_id: Uuid) -> Result<bool, Error> {
        self.client.has_user_voted(api_identifier, user_id).await
    }

    /// How many users voted for the API.
    pub async fn count(&self, api_identifier: &str) -> Result<i64, Error> {
        self.client.count_votes_for_api(api_identifier).await
    }
}
