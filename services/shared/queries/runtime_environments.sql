-- Queries on `runtime_environments`.

-- Creates an environment; its API keys are given as hashes and previews
-- (the plain keys are never stored).
-- name: CreateRuntimeEnvironment :one
INSERT INTO runtime_environments (
    slug, api_key_hash, api_key_preview, pk_api_key_hash, pk_api_key_preview,
    type, shortcode, organization_id, project_id, org_member_id
) VALUES (
    @slug, @api_key_hash, @api_key_preview, @pk_api_key_hash, @pk_api_key_preview,
    @type, @shortcode, @organization_id, @project_id, sqlc.narg(org_member_id)
)
RETURNING *;

-- The type of an environment of a project (its keys' prefix); no row if the
-- project has no such environment.
-- name: GetEnvironmentType :opt
SELECT type FROM runtime_environments WHERE id = @id AND project_id = @project_id;

-- Replaces both API keys of an environment (given as hashes and previews);
-- the old keys stop authenticating when this commits. No row if the
-- environment is not in the project.
-- name: RotateEnvironmentApiKeys :opt
UPDATE runtime_environments
SET api_key_hash        = @api_key_hash,
    api_key_preview     = @api_key_preview,
    pk_api_key_hash     = @pk_api_key_hash,
    pk_api_key_preview  = @pk_api_key_preview,
    api_keys_rotated_at = now(),
    updated_at          = now()
WHERE id = @id
  AND project_id = @project_id
RETURNING *;

-- Authenticates an API request: the environment owning a secret API key
-- (looked up by its SHA-256), with the project and organization it belongs to.
-- name: GetEnvironmentByApiKeyHash :opt
SELECT e.id,
       e.slug,
       e.type,
       e.paused,
       e.maximum_concurrency_limit,
       p.id AS project_id,
       p.slug AS project_slug,
       p.external_ref AS project_ref,
       o.id AS organization_id,
       o.slug AS organization_slug,
       o.title AS organization_title,
       o.runs_enabled
FROM runtime_environments AS e
JOIN projects AS p ON p.id = e.project_id
JOIN organizations AS o ON o.id = e.organization_id
WHERE e.api_key_hash = @api_key_hash
  AND p.deleted_at IS NULL
  AND o.deleted_at IS NULL;

-- Environments of a project; the owner columns are NULL for environments
-- that do not belong to a single member.
-- name: ListEnvironmentsForProject :many
SELECT e.id,
       e.slug,
       e.type,
       e.shortcode,
       e.paused,
       e.org_member_id,
       u.id AS owner_user_id,
       u.email AS owner_email,
       u.display_name AS owner_display_name
FROM runtime_environments e
LEFT JOIN org_members m ON m.id = e.org_member_id
LEFT JOIN users u ON u.id = m.user_id
WHERE e.project_id = @project_id
ORDER BY e.type, e.slug;

-- The DEVELOPMENT environments of a user across all their organizations
-- (used by the CLI `dev` command).
-- name: ListDevelopmentEnvironmentsForUser :many
WITH memberships AS (
    SELECT m.id, m.organization_id
    FROM org_members AS m
    WHERE m.user_id = @user_id
)
SELECT e.id,
       e.slug,
       e.api_key_preview,
       upper(e.shortcode) AS shortcode,
       p.slug AS project_slug,
       o.slug AS organization_slug
FROM memberships AS ms
JOIN runtime_environments AS e ON e.org_member_id = ms.id
JOIN projects AS p ON p.id = e.project_id
JOIN organizations AS o ON o.id = ms.organization_id
WHERE e.type = 'DEVELOPMENT'
  AND p.deleted_at IS NULL
ORDER BY o.slug, p.slug;

-- name: SetEnvironmentPaused :execrows
UPDATE runtime_environments SET paused = $2, updated_at = now() WHERE id = $1;

-- Sets the concurrency limit of all environments of one type in an
-- organization (addressed by slug).
-- name: SetConcurrencyLimitForType :many
UPDATE runtime_environments AS e
SET maximum_concurrency_limit = @maximum_concurrency_limit,
    updated_at = now()
FROM organizations AS o
WHERE o.id = e.organization_id
  AND o.slug = @organization_slug
  AND e.type = @type
RETURNING e.id, e.slug, e.maximum_concurrency_limit, o.maximum_concurrency_limit AS organization_limit;

-- Removes the environments of the archived projects of an organization.
-- name: DeleteEnvironmentsOfArchivedProjects :many
DELETE FROM runtime_environments AS e
USING projects AS p
WHERE p.id = e.project_id
  AND p.organization_id = @organization_id
  AND p.deleted_at IS NOT NULL
RETURNING e.id, e.slug, p.slug AS project_slug;

-- Authenticates a request made with a public API key (pk_...), looked up by
-- its SHA-256: the environment owning it, with its project and organization.
-- name: GetEnvironmentByPublicApiKeyHash :opt
SELECT e.id,
       e.slug,
       e.type,
       e.paused,
       e.maximum_concurrency_limit,
       p.id AS project_id,
       p.slug AS project_slug,
       p.external_ref AS project_ref,
       o.id AS organization_id,
       o.slug AS organization_slug,
       o.title AS organization_title,
       o.runs_enabled
FROM runtime_environments AS e
JOIN projects AS p ON p.id = e.project_id
JOIN organizations AS o ON o.id = e.organization_id
WHERE e.pk_api_key_hash = @pk_api_key_hash
  AND p.deleted_at IS NULL
  AND o.deleted_at IS NULL;

-- A project's environments, filtered and sorted as the caller asks, a page at
-- a time: each optional condition is sent only when given, so every shape is
-- planned with its indexes.
-- name: ListProjectRuntimeEnvironments :many
-- sqlgen: sort slug, created_at
-- sqlgen: keyset id
SELECT id, slug, type, paused, created_at
FROM runtime_environments
WHERE project_id = @project_id
  AND type = @type -- sqlgen: optional
  AND slug = @slug -- sqlgen: optional
;
