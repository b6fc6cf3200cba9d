-- +goose Up
-- Issue 19: a project's environments listed by creation time, a page at a time
-- (`ListProjectRuntimeEnvironments`, sorted by `created_at` then `id`). Listing
-- by slug uses the unique (project_id, slug) index of migration 007.
CREATE INDEX runtime_environments_project_id_created_at_id_idx
    ON runtime_environments (project_id, created_at, id);

-- +goose Down
DROP INDEX runtime_environments_project_id_created_at_id_idx;
