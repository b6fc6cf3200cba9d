-- Queries on `organization_access_tokens`.

-- name: CreateOrganizationAccessToken :one
INSERT INTO organization_access_tokens (
    name, type, organization_id, created_by_user_id, hashed_token, obfuscated_token, scopes, expires_at
) VALUES (
    @name, @type, @organization_id, sqlc.narg(created_by_user_id), @hashed_token, @obfuscated_token, @scopes, sqlc.narg(expires_at)
)
RETURNING *;

-- Authenticates an organization access token: not revoked, not expired,
-- its organization not deleted, and (for a USER token) its creator still a
-- member of the organization.
-- name: GetActiveOrganizationAccessTokenByHash :opt
SELECT t.id,
       t.name,
       t.type,
       t.scopes,
       t.expires_at,
       o.id AS organization_id,
       o.slug AS organization_slug,
       o.runs_enabled
FROM organization_access_tokens t
JOIN organizations o ON o.id = t.organization_id
WHERE t.hashed_token = @hashed_token
  AND t.revoked_at IS NULL
  AND (t.expires_at IS NULL OR t.expires_at > now())
  AND o.deleted_at IS NULL
  AND (t.type = 'SYSTEM' OR EXISTS (
        SELECT 1 FROM org_members AS m
        WHERE m.organization_id = t.organization_id
          AND m.user_id = t.created_by_user_id));

-- An organization access token by hash whatever its state, so that
-- authentication can say why a known token is refused. A USER token acts for
-- its creator's membership: `creator_is_member` is false once that ends (or
-- the creator is deleted). `use_due` says whether its use should be recorded
-- (at most once a minute), `read_only` whether this transaction could.
-- name: FindOrganizationAccessTokenByHash :opt
SELECT t.id,
       t.name,
       t.type,
       t.scopes,
       t.expires_at,
       t.last_accessed_at,
       t.revoked_at IS NOT NULL AS revoked,
       coalesce(t.expires_at <= now(), false) AS expired,
       o.deleted_at IS NOT NULL AS organization_deleted,
       (t.type = 'SYSTEM' OR EXISTS (
            SELECT 1 FROM org_members AS m
            WHERE m.organization_id = t.organization_id
              AND m.user_id = t.created_by_user_id)) AS creator_is_member,
       coalesce(t.last_accessed_at < now() - interval '1 minute', true) AS use_due,
       coalesce(current_setting('transaction_read_only')::bool, true) AS read_only,
       o.id AS organization_id,
       o.slug AS organization_slug,
       o.runs_enabled
FROM organization_access_tokens AS t
JOIN organizations AS o ON o.id = t.organization_id
WHERE t.hashed_token = @hashed_token;

-- Tokens of an organization with the e-mail of the user who created them
-- (NULL for system tokens and deleted users).
-- name: ListOrganizationAccessTokens :many
SELECT t.id,
       t.name,
       t.type,
       t.obfuscated_token,
       t.scopes,
       t.last_accessed_at,
       t.revoked_at,
       t.expires_at,
       t.created_at,
       u.email AS created_by_email,
       coalesce(u.display_name, u.email) AS created_by_label
FROM organization_access_tokens AS t
LEFT JOIN users AS u ON u.id = t.created_by_user_id
WHERE t.organization_id = @organization_id
ORDER BY t.created_at DESC, t.id DESC;

-- Records a use of a token, at most once a minute: busy tokens do not all
-- wait for one row lock. 0 when the use was recorded less than a minute ago
-- (or the token is revoked).
-- name: TouchOrganizationAccessToken :execrows
UPDATE organization_access_tokens
SET last_accessed_at = now()
WHERE id = @id
  AND revoked_at IS NULL
  AND (last_accessed_at IS NULL OR last_accessed_at < now() - interval '1 minute');

-- Revokes a token of an organization; no row if unknown or already revoked.
-- name: RevokeOrganizationAccessToken :opt
UPDATE organization_access_tokens
SET revoked_at = now(), updated_at = now()
WHERE id = @id
  AND organization_id = @organization_id
  AND revoked_at IS NULL
RETURNING id, name, revoked_at;

-- name: DeleteExpiredOrganizationAccessTokens :execrows
DELETE FROM organization_access_tokens
WHERE expires_at < sqlc.arg(expired_before)::timestamptz;

-- Deletes the tokens of soft-deleted organizations.
-- name: DeleteTokensOfDeletedOrganizations :many
DELETE FROM organization_access_tokens AS t
USING organizations AS o
WHERE o.id = t.organization_id
  AND o.deleted_at IS NOT NULL
RETURNING t.id, t.organization_id, o.slug AS organization_slug;
