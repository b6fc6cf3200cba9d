-- +goose Up
-- API authentication tokens, owned by the `apiauth` service.

CREATE TYPE organization_access_token_type AS ENUM ('USER', 'SYSTEM');

CREATE TABLE personal_access_tokens (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name             text NOT NULL,
    user_id          uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    hashed_token     text NOT NULL UNIQUE,
    encrypted_token  jsonb NOT NULL,
    obfuscated_token text NOT NULL,
    last_accessed_at timestamptz NULL,
    revoked_at       timestamptz NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);

COMMENT ON TABLE personal_access_tokens IS 'Tokens a user creates to call the API (and the CLI) as themselves.';
COMMENT ON COLUMN personal_access_tokens.hashed_token IS 'SHA-256 of the token; the plain token is never stored.';
COMMENT ON COLUMN personal_access_tokens.obfuscated_token IS 'Displayable form, e.g. tr_pat_abcd••••••••.';

CREATE INDEX personal_access_tokens_user_id_idx ON personal_access_tokens (user_id);

CREATE TABLE organization_access_tokens (
    id                 bigserial PRIMARY KEY,
    name               varchar(100) NOT NULL,
    type               organization_access_token_type NOT NULL DEFAULT 'USER',
    organization_id    uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    created_by_user_id uuid REFERENCES users (id) ON DELETE SET NULL,
    hashed_token       text NOT NULL UNIQUE,
    obfuscated_token   text NOT NULL,
    scopes             text[] NOT NULL DEFAULT '{}',
    last_accessed_at   timestamptz,
    revoked_at         timestamptz,
    expires_at         timestamptz,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);

COMMENT ON TABLE organization_access_tokens IS 'Tokens that act on behalf of a whole organization.';
COMMENT ON COLUMN organization_access_tokens.scopes IS 'Permissions granted to the token, e.g. {read:runs,write:deployments}.';

CREATE INDEX organization_access_tokens_organization_id_idx ON organization_access_tokens (organization_id);

-- +goose Down
DROP TABLE organization_access_tokens;
DROP TABLE personal_access_tokens;
DROP TYPE organization_access_token_type;
