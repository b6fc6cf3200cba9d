-- Queries on `organizations` and `org_members`.

-- name: CreateOrganization :one
INSERT INTO organizations (slug, title, company_size)
VALUES (@slug, @title, sqlc.narg(company_size))
RETURNING *;

-- Finds a live (not soft-deleted) organization by its slug.
-- name: GetOrganizationBySlug :opt
SELECT * FROM organizations
WHERE slug = @slug AND deleted_at IS NULL;

-- Updates the settings page of an organization. A NULL title or execution
-- time keeps the stored value; the billing fields are replaced as given.
-- name: UpdateOrganizationSettings :one
UPDATE organizations
SET title                             = coalesce(sqlc.narg(title), title),
    maximum_execution_time_per_run_ms = coalesce(sqlc.narg(maximum_execution_time_per_run_ms), maximum_execution_time_per_run_ms),
    company_size                      = sqlc.narg(company_size),
    monthly_spend_limit               = sqlc.narg(monthly_spend_limit),
    trial_ends_on                     = sqlc.narg(trial_ends_on),
    avatar_thumbnail                  = sqlc.narg(avatar_thumbnail),
    updated_at                        = now()
WHERE id = sqlc.arg(id)
RETURNING *;

-- Organizations the user belongs to, with the user's role in each.
-- name: ListOrganizationsForUser :many
SELECT o.*, m.role AS member_role
FROM organizations AS o
INNER JOIN org_members AS m ON m.organization_id = o.id
WHERE m.user_id = @user_id
  AND o.deleted_at IS NULL
ORDER BY o.title, o.id;

-- Adds a member; returns no row if the user already is a member.
-- name: AddOrgMember :opt
INSERT INTO org_members (organization_id, user_id, role)
VALUES (@organization_id, @user_id, @role)
ON CONFLICT (organization_id, user_id) DO NOTHING
RETURNING *;

-- Members of an organization with their user's e-mail and display label.
-- name: ListOrgMembers :many
SELECT m.id,
       m.role,
       m.created_at AS joined_at,
       u.id AS user_id,
       u.email,
       u.display_name,
       coalesce(u.display_name, u.name, u.email) AS label
FROM org_members m
JOIN users u ON u.id = m.user_id
WHERE m.organization_id = @organization_id
ORDER BY lower(u.email)
LIMIT sqlc.arg(limit) OFFSET sqlc.arg(offset);

-- Sets the billing address of an organization, or clears it with NULL.
-- name: SetOrganizationBillingAddress :execrows
UPDATE organizations
SET billing_address = sqlc.narg(billing_address), updated_at = now()
WHERE id = @id;

-- Live organizations among the given slugs, by slug.
-- name: ListOrganizationsBySlugs :many
SELECT * FROM organizations
WHERE slug IN (sqlc.slice(slugs)) AND deleted_at IS NULL
ORDER BY slug;

-- The membership of a user in an organization, if they are a member.
-- name: GetOrgMembership :opt
SELECT * FROM org_members
WHERE organization_id = @organization_id AND user_id = @user_id;
