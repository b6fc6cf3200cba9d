-- Queries on "SecretStore" (quoted, mixed-case identifiers).

-- name: GetSecret :opt
SELECT * FROM "SecretStore" WHERE "key" = @key;

-- Only the payload of a secret and its format version.
-- name: GetSecretValue :opt
SELECT "value", "version" FROM "SecretStore" WHERE "key" = $1;

-- Stores a secret, replacing the value and version of an existing key.
-- name: UpsertSecret :one
INSERT INTO "SecretStore" ("key", "value", "version", "updatedAt")
VALUES (@key, @value, @version, now())
ON CONFLICT ("key") DO UPDATE SET
    "value"     = EXCLUDED."value",
    "version"   = EXCLUDED."version",
    "updatedAt" = EXCLUDED."updatedAt"
RETURNING *;

-- Stores a secret unless the key exists; returns 1 if it was inserted, 0 if not.
-- name: CreateSecretIfAbsent :execrows
INSERT INTO "SecretStore" ("key", "value", "version", "updatedAt")
VALUES (@key, @value, @version, now())
ON CONFLICT DO NOTHING;

-- One page of secret keys (without values), ordered by key.
-- name: ListSecrets :many
SELECT "key", "version", "createdAt", "updatedAt"
FROM "SecretStore"
ORDER BY "key"
LIMIT @limit OFFSET @offset;

-- Secrets changed at or after the given (timezone-less) timestamp.
-- name: ListSecretsUpdatedSince :many
SELECT s.*
FROM "SecretStore" AS s
WHERE s."updatedAt" >= sqlc.arg(since)
ORDER BY s."updatedAt", s."key";

-- Increments the numeric format version stored as text.
-- name: BumpSecretVersion :one
UPDATE "SecretStore"
SET "version"   = ("version"::int4 + 1)::text,
    "updatedAt" = now()
WHERE "key" = @key
RETURNING "key", "version", "updatedAt";

-- name: CountSecretsByVersion :many
SELECT "version", count(*) AS secret_count, max("updatedAt") AS last_updated_at
FROM "SecretStore"
GROUP BY "version"
ORDER BY "version";

-- name: DeleteSecret :execrows
DELETE FROM "SecretStore" WHERE "key" = @key;

-- Deletes all secrets of an obsolete format version and returns their keys.
-- name: DeleteSecretsByVersion :many
DELETE FROM "SecretStore"
WHERE "version" = @version
RETURNING "key";

-- One batch of a key rotation: secrets whose value is not yet an envelope
-- under the key `kid` (format 3), older formats included, in key order after
-- `after` (NULL: from the start).
-- name: ListSecretsNotUnderKey :many
SELECT "key", "value", "version"
FROM "SecretStore"
WHERE (sqlc.narg(after)::text IS NULL OR "key" > sqlc.narg(after))
  AND NOT coalesce("version" = '3' AND "value" ->> 'kid' = @kid, false)
ORDER BY "key"
LIMIT @limit;

-- Replaces a secret's value and version only if they are still the ones read
-- (compare and swap): 0 when a writer changed the secret in the meantime.
-- "updatedAt" is kept: the secret itself did not change.
-- name: ReplaceSecretIfUnchanged :execrows
UPDATE "SecretStore"
SET "value" = @value, "version" = @version
WHERE "key" = @key
  AND "value" = @old_value
  AND "version" = @old_version;
