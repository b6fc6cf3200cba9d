-- +goose Up
-- Key/value store for encrypted secrets, owned by the `secretstore` service.
-- Identifiers are quoted and mixed-case, exactly as in trigger.dev's schema.
CREATE TABLE "SecretStore" (
    "key"       TEXT NOT NULL,
    "value"     JSONB NOT NULL,
    "version"   TEXT NOT NULL DEFAULT '1',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SecretStore_pkey" PRIMARY KEY ("key")
);

COMMENT ON TABLE "SecretStore" IS 'Secrets addressed by key; "value" holds the encrypted payload.';
COMMENT ON COLUMN "SecretStore"."version" IS 'Format version of "value", as text.';

-- +goose Down
DROP TABLE "SecretStore";
