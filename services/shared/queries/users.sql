-- Queries on `users`.

-- Fetches a user by primary key; errors if the user does not exist.
-- name: GetUserById :one
SELECT * FROM users WHERE id = $1;

-- Looks a user up by e-mail address (case-insensitive; addresses are stored
-- lower-cased).
-- name: GetUserByEmail :opt
SELECT *
FROM users
WHERE email = lower(@email);

-- Creates a user on first login, or refreshes the profile fields of an
-- existing one. NULL profile fields keep their stored value.
-- name: UpsertUser :one
INSERT INTO users (email, authentication_method, authentication_profile, name, display_name, avatar_url)
VALUES (
    lower(@email),
    @authentication_method,
    sqlc.narg(authentication_profile),
    sqlc.narg(name),
    sqlc.narg(display_name),
    sqlc.narg(avatar_url)
)
ON CONFLICT (email) DO UPDATE SET
    authentication_method  = EXCLUDED.authentication_method,
    authentication_profile = coalesce(EXCLUDED.authentication_profile, users.authentication_profile),
    name                   = coalesce(EXCLUDED.name, users.name),
    display_name           = coalesce(EXCLUDED.display_name, users.display_name),
    avatar_url             = coalesce(EXCLUDED.avatar_url, users.avatar_url),
    updated_at             = now()
RETURNING *;

-- One page of users, newest first (admin dashboard).
-- name: ListUsers :many
SELECT id, email, name, display_name, admin, signup_source, created_at
FROM users
ORDER BY created_at DESC, id
LIMIT @limit OFFSET @offset;

-- Remembers when and from where a user last logged in.
-- name: RecordUserLogin :exec
UPDATE users
SET last_login_at = now(),
    last_login_ip = sqlc.narg(last_login_ip),
    updated_at    = now()
WHERE id = @id;

-- Creates a user; a taken e-mail address is a unique violation on
-- `users_email_key`.
-- name: CreateUser :one
INSERT INTO users (email, authentication_method, name, display_name)
VALUES (lower(@email), @authentication_method, sqlc.narg(name), sqlc.narg(display_name))
RETURNING *;
