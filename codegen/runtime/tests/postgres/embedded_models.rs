//! `sqlc.embed(t)` under an outer join, decoded as generated code decodes it: the embedded model
//! is `None` when the join found no row, and the columns after it are read from the right place
//! either way.

use sqlgen_runtime::{many, Client, Columns, FromRow};

const SCHEMA: &[&str] = &[
    "CREATE TABLE users (id int4 PRIMARY KEY, name text NOT NULL)",
    "CREATE TABLE posts (id int4 PRIMARY KEY, user_id int4 NOT NULL REFERENCES users, title text)",
    "INSERT INTO users VALUES (1, 'ada'), (2, 'grace')",
    // A post whose nullable column is NULL: the model is still there.
    "INSERT INTO posts VALUES (10, 1, NULL)",
];

/// `users` LEFT JOIN `posts`, then a column after the embedded post.
const USERS_WITH_POSTS: &str =
    "SELECT users.id, users.name, posts.id, posts.user_id, posts.title, upper(users.name) AS shout
    FROM users LEFT JOIN posts ON posts.user_id = users.id ORDER BY users.id";

#[derive(Debug, PartialEq)]
struct User {
    id: i32,
    name: String,
}

sqlgen_runtime::from_row!(User { id, name });

#[derive(Debug, PartialEq)]
struct Post {
    id: i32,
    user_id: i32,
    title: Option<String>,
}

sqlgen_runtime::from_row!(Post { id, user_id, title });

#[derive(Debug, PartialEq)]
struct UserWithPost {
    user: User,
    post: Option<Post>,
    shout: String,
}

// What sqlgen emits for a row with `sqlc.embed(posts)` on the nullable side: the key is
// `posts.id` (NOT NULL in the table), column 0 of the post's 3.
impl FromRow for UserWithPost {
    fn decode(columns: &mut Columns<'_>) -> Result<Self, sqlgen_runtime::tokio_postgres::Error> {
        Ok(Self {
            user: FromRow::decode(columns)?,
            post: columns.embedded(0, 3)?,
            shout: FromRow::decode(columns)?,
        })
    }
}

#[tokio::test]
async fn an_embedded_model_is_none_without_a_joined_row_and_later_columns_stay_in_place() {
    let db = testsupport::fresh_db_from_sql(SCHEMA).await;
    let client = Client::new(db.client().await);

    let rows: Vec<UserWithPost> = many(&client, USERS_WITH_POSTS, &[]).await.unwrap();

    assert_eq!(
        rows,
        [
            UserWithPost {
                user: User {
                    id: 1,
                    name: "ada".to_owned()
                },
                post: Some(Post {
                    id: 10,
                    user_id: 1,
                    title: None
                }),
                shout: "ADA".to_owned(),
            },
            UserWithPost {
                user: User {
                    id: 2,
                    name: "grace".to_owned()
                },
                post: None,
                shout: "GRACE".to_owned(),
            },
        ]
    );
}
