-- +goose Up
-- Core tables of the KongFlow backend, owned by the `shared` service:
-- users, organizations and their members, projects and the runtime
-- environments (API keys) of each project.

CREATE TYPE authentication_method AS ENUM ('GITHUB', 'MAGIC_LINK');

CREATE TYPE org_member_role AS ENUM ('ADMIN', 'MEMBER');

CREATE TYPE runtime_environment_type AS ENUM ('PRODUCTION', 'STAGING', 'DEVELOPMENT', 'PREVIEW');

COMMENT ON TYPE runtime_environment_type IS 'Kind of a runtime environment; DEVELOPMENT environments belong to one org member.';

CREATE TABLE users (
    id                      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email                   text NOT NULL UNIQUE,
    authentication_method   authentication_method NOT NULL DEFAULT 'MAGIC_LINK',
    authentication_profile  jsonb,
    name                    text NULL,
    display_name            text,
    avatar_url              text,
    admin                   boolean NOT NULL DEFAULT false,
    marketing_emails        boolean NOT NULL DEFAULT true,
    confirmed_basic_details boolean NOT NULL DEFAULT false,
    is_on_cloud_waitlist    boolean NOT NULL DEFAULT false,
    referral_source         varchar(255),
    created_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now()
);

COMMENT ON TABLE users IS 'A person who can sign in to KongFlow.';
COMMENT ON COLUMN users.email IS 'Login e-mail address, unique across all users.';
COMMENT ON COLUMN users.admin IS 'Site administrators can impersonate users and see every organization.';

CREATE TABLE organizations (
    id                                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug                              text NOT NULL UNIQUE,
    title                             text NOT NULL,
    maximum_concurrency_limit         integer NOT NULL DEFAULT 10,
    maximum_execution_time_per_run_ms int8 NOT NULL DEFAULT 900000,
    runs_enabled                      boolean NOT NULL DEFAULT true,
    company_size                      varchar(32),
    avatar                            jsonb,
    created_at                        timestamptz NOT NULL DEFAULT now(),
    updated_at                        timestamptz NOT NULL DEFAULT now(),
    deleted_at                        timestamptz
);

COMMENT ON TABLE organizations IS 'A tenant: owns projects, members and organization access tokens.';
COMMENT ON COLUMN organizations.slug IS 'URL-safe identifier used in dashboard paths.';
COMMENT ON COLUMN organizations.deleted_at IS 'Set when the organization is soft-deleted.';

CREATE TABLE org_members (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role            org_member_role NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT org_members_organization_id_user_id_key UNIQUE (organization_id, user_id)
);

CREATE INDEX org_members_user_id_idx ON org_members (user_id);

CREATE TABLE projects (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug            text NOT NULL UNIQUE,
    name            text NOT NULL,
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    external_ref    text UNIQUE,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    deleted_at      timestamptz NULL
);

COMMENT ON COLUMN projects.external_ref IS 'Public reference of the project (proj_...), used by the CLI and SDKs.';

CREATE INDEX projects_organization_id_idx ON projects (organization_id);

CREATE TABLE runtime_environments (
    id                        uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug                      text NOT NULL,
    api_key                   text NOT NULL UNIQUE,
    pk_api_key                text NOT NULL UNIQUE,
    type                      runtime_environment_type NOT NULL DEFAULT 'DEVELOPMENT',
    shortcode                 varchar(16) NOT NULL,
    maximum_concurrency_limit int4 NOT NULL DEFAULT 5,
    paused                    bool NOT NULL DEFAULT false,
    organization_id           uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    project_id                uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    org_member_id             uuid REFERENCES org_members (id) ON DELETE CASCADE,
    created_at                timestamptz NOT NULL DEFAULT now(),
    updated_at                timestamptz NOT NULL DEFAULT now(),
    UNIQUE (project_id, shortcode)
);

COMMENT ON TABLE runtime_environments IS 'An environment of a project; each one has its own secret and public API keys.';
COMMENT ON COLUMN runtime_environments.api_key IS 'Secret API key (tr_dev_..., tr_prod_...).';
COMMENT ON COLUMN runtime_environments.org_member_id IS 'Owner of a DEVELOPMENT environment; NULL for shared environments.';

CREATE INDEX runtime_environments_project_id_idx ON runtime_environments (project_id);
CREATE INDEX runtime_environments_organization_id_idx ON runtime_environments (organization_id);

-- +goose Down
DROP TABLE runtime_environments;
DROP TABLE projects;
DROP TABLE org_members;
DROP TABLE organizations;
DROP TABLE users;
DROP TYPE runtime_environment_type;
DROP TYPE org_member_role;
DROP TYPE authentication_method;
