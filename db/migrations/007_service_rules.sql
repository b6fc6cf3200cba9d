-- +goose Up
-- Rules the services rely on (issue 5): slugs unique where trigger.dev scopes
-- them, and personal access tokens that keep only a hash and may expire.

-- A project slug names a project within its organization, so two
-- organizations may each have a project `web`.
ALTER TABLE projects DROP CONSTRAINT projects_slug_key;
ALTER TABLE projects
    ADD CONSTRAINT projects_organization_id_slug_key UNIQUE (organization_id, slug);

-- One environment per project and slug (`dev`, `stg`, `prod`, `preview`).
ALTER TABLE runtime_environments
    ADD CONSTRAINT runtime_environments_project_id_slug_key UNIQUE (project_id, slug);

-- The database keeps only the SHA-256 of a personal access token and its
-- obfuscated preview: a copy of the table must not yield usable tokens.
ALTER TABLE personal_access_tokens DROP COLUMN encrypted_token;
ALTER TABLE personal_access_tokens ADD COLUMN expires_at timestamptz;

COMMENT ON COLUMN personal_access_tokens.expires_at IS 'After this instant the token no longer authenticates; NULL never expires.';

-- +goose Down
ALTER TABLE personal_access_tokens DROP COLUMN expires_at;
ALTER TABLE personal_access_tokens ADD COLUMN encrypted_token jsonb NOT NULL DEFAULT '{}';
ALTER TABLE runtime_environments DROP CONSTRAINT runtime_environments_project_id_slug_key;
ALTER TABLE projects DROP CONSTRAINT projects_organization_id_slug_key;
ALTER TABLE projects ADD CONSTRAINT projects_slug_key UNIQUE (slug);
