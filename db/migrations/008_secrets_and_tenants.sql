-- +goose Up
-- Issue 17: environment API keys kept only as hashes, and tenants kept apart
-- by the schema itself.

-- Environment API keys are stored as access tokens are: the lower-case hex
-- SHA-256 of the key (looked up by it) and a preview for display. A backup or
-- replica of the table no longer holds working keys. Existing keys are hashed
-- in place, so they keep authenticating.
ALTER TABLE runtime_environments
    ADD COLUMN api_key_hash       text,
    ADD COLUMN api_key_preview    text,
    ADD COLUMN pk_api_key_hash    text,
    ADD COLUMN pk_api_key_preview text,
    ADD COLUMN api_keys_rotated_at timestamptz;

UPDATE runtime_environments
SET api_key_hash       = encode(sha256(convert_to(api_key, 'UTF8')), 'hex'),
    api_key_preview    = substring(api_key FROM '^(.*_.{0,4})') || '••••••••',
    pk_api_key_hash    = encode(sha256(convert_to(pk_api_key, 'UTF8')), 'hex'),
    pk_api_key_preview = substring(pk_api_key FROM '^(.*_.{0,4})') || '••••••••';

ALTER TABLE runtime_environments
    ALTER COLUMN api_key_hash SET NOT NULL,
    ALTER COLUMN api_key_preview SET NOT NULL,
    ALTER COLUMN pk_api_key_hash SET NOT NULL,
    ALTER COLUMN pk_api_key_preview SET NOT NULL;

ALTER TABLE runtime_environments DROP COLUMN api_key;
ALTER TABLE runtime_environments DROP COLUMN pk_api_key;

ALTER TABLE runtime_environments
    ADD CONSTRAINT runtime_environments_api_key_hash_key UNIQUE (api_key_hash);
ALTER TABLE runtime_environments
    ADD CONSTRAINT runtime_environments_pk_api_key_hash_key UNIQUE (pk_api_key_hash);

COMMENT ON COLUMN runtime_environments.api_key_hash IS 'SHA-256 (hex) of the secret API key (tr_dev_..., tr_prod_...); the key itself is never stored.';
COMMENT ON COLUMN runtime_environments.api_key_preview IS 'Displayable form of the secret API key, e.g. tr_dev_abcd••••••••.';
COMMENT ON COLUMN runtime_environments.pk_api_key_hash IS 'SHA-256 (hex) of the public API key (pk_dev_...).';
COMMENT ON COLUMN runtime_environments.api_keys_rotated_at IS 'When both API keys were last replaced; NULL if never.';

-- An environment's project and member belong to the environment's
-- organization: composite foreign keys make the database refuse a row that
-- mixes two tenants' ids, whatever code writes it. The referenced pairs need
-- a unique constraint of their own (the ids alone are already unique).
ALTER TABLE projects
    ADD CONSTRAINT projects_id_organization_id_key UNIQUE (id, organization_id);
ALTER TABLE org_members
    ADD CONSTRAINT org_members_id_organization_id_key UNIQUE (id, organization_id);

ALTER TABLE runtime_environments DROP CONSTRAINT runtime_environments_project_id_fkey;
ALTER TABLE runtime_environments DROP CONSTRAINT runtime_environments_org_member_id_fkey;

-- A project's environments go with it; moving a project to another
-- organization is refused while it has environments (NO ACTION on update).
ALTER TABLE runtime_environments
    ADD CONSTRAINT runtime_environments_project_organization_fkey
    FOREIGN KEY (project_id, organization_id)
    REFERENCES projects (id, organization_id) ON DELETE CASCADE;

-- MATCH SIMPLE: a shared environment (no member) is not checked against
-- org_members; a member's DEVELOPMENT environment must name a membership of
-- the same organization, and goes when the membership does.
ALTER TABLE runtime_environments
    ADD CONSTRAINT runtime_environments_org_member_organization_fkey
    FOREIGN KEY (org_member_id, organization_id)
    REFERENCES org_members (id, organization_id) ON DELETE CASCADE;

-- +goose Down
ALTER TABLE runtime_environments DROP CONSTRAINT runtime_environments_org_member_organization_fkey;
ALTER TABLE runtime_environments DROP CONSTRAINT runtime_environments_project_organization_fkey;
ALTER TABLE runtime_environments
    ADD CONSTRAINT runtime_environments_org_member_id_fkey
    FOREIGN KEY (org_member_id) REFERENCES org_members (id) ON DELETE CASCADE;
ALTER TABLE runtime_environments
    ADD CONSTRAINT runtime_environments_project_id_fkey
    FOREIGN KEY (project_id) REFERENCES projects (id) ON DELETE CASCADE;
ALTER TABLE org_members DROP CONSTRAINT org_members_id_organization_id_key;
ALTER TABLE projects DROP CONSTRAINT projects_id_organization_id_key;
-- The plain keys cannot be recovered from their hashes: a rollback issues
-- placeholders that match no key, and every environment needs new keys.
ALTER TABLE runtime_environments ADD COLUMN api_key text;
ALTER TABLE runtime_environments ADD COLUMN pk_api_key text;
UPDATE runtime_environments
SET api_key = 'revoked_' || api_key_hash, pk_api_key = 'revoked_' || pk_api_key_hash;
ALTER TABLE runtime_environments
    ALTER COLUMN api_key SET NOT NULL,
    ALTER COLUMN pk_api_key SET NOT NULL,
    ADD CONSTRAINT runtime_environments_api_key_key UNIQUE (api_key),
    ADD CONSTRAINT runtime_environments_pk_api_key_key UNIQUE (pk_api_key);
ALTER TABLE runtime_environments
    DROP COLUMN api_keys_rotated_at,
    DROP COLUMN pk_api_key_preview,
    DROP COLUMN pk_api_key_hash,
    DROP COLUMN api_key_preview,
    DROP COLUMN api_key_hash;
