-- +goose Up
-- Votes of users for API integrations they would like to see, owned by the
-- `apivote` service. Schema-qualified, quoted identifiers as in trigger.dev.
CREATE TABLE "public"."ApiIntegrationVote" (
    "id"            TEXT NOT NULL,
    "apiIdentifier" TEXT NOT NULL,
    "userId"        UUID NOT NULL,
    "createdAt"     TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt"     TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ApiIntegrationVote_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "ApiIntegrationVote_userId_fkey" FOREIGN KEY ("userId")
        REFERENCES "public"."users" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

CREATE UNIQUE INDEX "ApiIntegrationVote_apiIdentifier_userId_key"
    ON "public"."ApiIntegrationVote" ("apiIdentifier", "userId");

COMMENT ON COLUMN "public"."ApiIntegrationVote"."apiIdentifier" IS 'Identifier of the API the user voted for, e.g. "stripe".';

-- +goose Down
DROP TABLE "public"."ApiIntegrationVote";
