//! `UserRepository`: the user-facing operations of `shared` (sign-in, lookup, memberships) over the generated queries.

use std::net::IpAddr;

use sqlgen_runtime::{Error, GenericClient};
use uuid::Uuid;

use crate::db::models::{AuthenticationMethod, User};
use crate::db::organizations::ListOrganizationsForUserRow;
use crate::db::users::UpsertUserParams;
use crate::db::Queries;

/// What an identity provider tells us about a user when they sign in.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SignIn<'a> {
    pub email: &'a str,
    pub method: AuthenticationMethod,
    pub profile: Option<&'a serde_json::Value>,
    pub name: Option<&'a str>,
    pub display_name: Option<&'a str>,
    pub avatar_url: Option<&'a str>,
    /// Where the request came from, remembered as the last login address.
    pub ip: Option<IpAddr>,
}

/// Users and their organizations, on any client or transaction.
///
/// It borrows the client rather than owning it, so that a caller can run this
/// repository and other queries (of `shared` or of a service) on one connection
/// or inside one transaction.
#[derive(Debug)]
pub struct UserRepository<'c, C> {
    client: &'c C,
}

impl<'c, C: GenericClient> UserRepository<'c, C> {
    pub fn new(client: &'c C) -> Self {
        UserRepository { client }
    }

    /// The user with this id; [`Error::NotFound`] if there is none.
    pub async fn get(&self, id: Uuid) -> Result<User, Error> {
        self.client.get_user_by_id(id).await
    }

    /// The user with this e-mail address, in any letter case.
    pub async fn find_by_email(&self, email: &str) -> Result<Option<User>, Error> {
        self.client.get_user_by_email(email).await
    }

    /// Creates the user on first sign-in or refreshes their profile, then records
    /// the login; returns the user as stored after both.
    ///
    /// The login is recorded by a second statement (the upsert cannot set it), so
    /// the user is read back once more to return `last_login_at` and
    /// `last_login_ip` as the database has them.
    pub async fn sign_in(&self, sign_in: &SignIn<'_>) -> Result<User, Error> {
        let user = self
            .client
            .upsert_user(&UpsertUserParams {
                email: sign_in.email,
                authentication_method: sign_in.method,
                authentication_profile: sign_in.profile,
                name: sign_in.name,
                display_name: sign_in.display_name,
                avatar_url: sign_in.avatar_url,
            })
            .await?;
        self.client.record_user_login(sign_in.ip, user.id).await?;
        self.client.get_user_by_id(user.id).await
    }

    /// The live organizations the user belongs to, with their role in each.
    pub async fn organizations(
        &self,
        user_id: Uuid,
    ) -> Result<Vec<ListOrganizationsForUserRow>, Error> {
        self.client.list_organizations_for_user(user_id).await
    }
}
