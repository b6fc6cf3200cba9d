-- Queries on `projects`.

-- name: CreateProject :one
INSERT INTO projects (slug, name, organization_id, external_ref)
VALUES (@slug, @name, @organization_id, @external_ref)
RETURNING *;

-- Finds a live project of an organization by slug.
-- name: GetProjectBySlug :opt
SELECT p.*
FROM projects p
WHERE p.organization_id = @organization_id
  AND p.slug = @slug
  AND p.deleted_at IS NULL;

-- Projects of an organization with statistics about their environments.
-- Projects without environments are included (count 0, NULL timestamps).
-- name: ListProjectsWithEnvironmentStats :many
SELECT p.id,
       p.slug,
       p.name,
       p.external_ref,
       count(e.id) AS environment_count,
       coalesce(sum(e.maximum_concurrency_limit), 0)::int4 AS total_concurrency,
       avg(e.maximum_concurrency_limit) AS avg_concurrency,
       min(e.created_at) AS first_environment_at,
       max(e.updated_at) AS last_environment_update
FROM projects AS p
LEFT JOIN runtime_environments AS e ON e.project_id = p.id
WHERE p.organization_id = @organization_id
  AND p.deleted_at IS NULL
GROUP BY p.id, p.slug, p.name, p.external_ref
ORDER BY p.name;

-- Soft-deletes a project.
-- name: ArchiveProject :one
UPDATE projects
SET deleted_at = now(), updated_at = now()
WHERE id = @id
RETURNING id, slug, deleted_at;
