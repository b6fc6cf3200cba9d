-- Queries on `personal_access_tokens`.

-- name: CreatePersonalAccessToken :one
INSERT INTO personal_access_tokens (name, user_id, hashed_token, obfuscated_token, expires_at)
VALUES (@name, @user_id, @hashed_token, @obfuscated_token, sqlc.narg(expires_at))
RETURNING *;

-- Authenticates a personal access token: the non-revoked, unexpired token
-- with the given hash, together with its user's e-mail, admin flag and login
-- method.
-- name: GetActivePersonalAccessTokenByHash :opt
SELECT t.*,
       u.email AS user_email,
       u.admin AS user_is_admin,
       u.authentication_method AS user_authentication_method
FROM personal_access_tokens AS t
INNER JOIN users AS u ON u.id = t.user_id
WHERE t.hashed_token = @hashed_token
  AND t.revoked_at IS NULL
  AND (t.expires_at IS NULL OR t.expires_at > now());

-- A personal access token by hash whatever its state, with its user, so
-- that authentication can say why a known token is refused. `use_due` says
-- whether its use should be recorded (at most once a minute), `read_only`
-- whether this transaction could.
-- name: FindPersonalAccessTokenByHash :opt
SELECT t.id,
       t.name,
       t.user_id,
       t.obfuscated_token,
       t.last_accessed_at,
       t.expires_at,
       t.revoked_at IS NOT NULL AS revoked,
       coalesce(t.expires_at <= now(), false) AS expired,
       coalesce(t.last_accessed_at < now() - interval '1 minute', true) AS use_due,
       coalesce(current_setting('transaction_read_only')::bool, true) AS read_only,
       u.email AS user_email,
       u.admin AS user_is_admin
FROM personal_access_tokens AS t
INNER JOIN users AS u ON u.id = t.user_id
WHERE t.hashed_token = @hashed_token;

-- Tokens of a user, newest first; revoked ones only if asked for.
-- name: ListPersonalAccessTokensForUser :many
SELECT id, name, obfuscated_token, last_accessed_at, revoked_at, expires_at, created_at
FROM personal_access_tokens
WHERE user_id = @user_id
  AND (revoked_at IS NULL OR @include_revoked::bool)
ORDER BY created_at DESC
LIMIT @limit OFFSET @offset;

-- Records a use of a token, at most once a minute: busy tokens do not all
-- wait for one row lock. 0 when the use was recorded less than a minute ago
-- (or the token is revoked).
-- name: TouchPersonalAccessToken :execrows
UPDATE personal_access_tokens
SET last_accessed_at = now()
WHERE id = $1
  AND revoked_at IS NULL
  AND (last_accessed_at IS NULL OR last_accessed_at < now() - interval '1 minute');

-- Revokes one token of a user; returns 0 if it does not exist, belongs to
-- someone else or is already revoked.
-- name: RevokePersonalAccessToken :execrows
UPDATE personal_access_tokens
SET revoked_at = now(), updated_at = now()
WHERE id = @id
  AND user_id = @user_id
  AND revoked_at IS NULL;

-- Revokes every active token of a user and returns them.
-- name: RevokeAllPersonalAccessTokensForUser :many
UPDATE personal_access_tokens
SET revoked_at = now(), updated_at = now()
WHERE user_id = @user_id AND revoked_at IS NULL
RETURNING id, name, revoked_at;

-- Users with the most active personal access tokens.
-- name: ListUsersByActiveTokenCount :many
WITH active AS (
    SELECT user_id, count(*) AS token_count, max(last_accessed_at) AS last_used_at
    FROM personal_access_tokens
    WHERE revoked_at IS NULL
    GROUP BY user_id
)
SELECT u.id, u.email, a.token_count, a.last_used_at
FROM users AS u
JOIN active AS a ON a.user_id = u.id
ORDER BY a.token_count DESC, u.email
LIMIT $1;

-- A token together with its owner, both as whole rows.
-- name: GetPersonalAccessTokenWithUser :opt
SELECT sqlc.embed(t), sqlc.embed(u)
FROM personal_access_tokens AS t
JOIN users AS u ON u.id = t.user_id
WHERE t.id = @id;
