-- Queries on "public"."ApiIntegrationVote" (schema-qualified, quoted identifiers).

-- Records a vote; returns no row if the user already voted for that API.
-- name: CreateVote :opt
INSERT INTO "public"."ApiIntegrationVote" ("id", "apiIdentifier", "userId", "updatedAt")
VALUES (@id, @api_identifier, @user_id, now())
ON CONFLICT ("apiIdentifier", "userId") DO NOTHING
RETURNING *;

-- Records a vote, or refreshes the timestamp of an existing one.
-- name: UpsertVote :one
INSERT INTO "public"."ApiIntegrationVote" ("id", "apiIdentifier", "userId", "updatedAt")
VALUES (@id, @api_identifier, @user_id, now())
ON CONFLICT ("apiIdentifier", "userId") DO UPDATE SET "updatedAt" = EXCLUDED."updatedAt"
RETURNING *;

-- Records a vote; a second vote of the user for the API is a unique violation.
-- name: RecordVote :exec
INSERT INTO "public"."ApiIntegrationVote" ("id", "apiIdentifier", "userId", "updatedAt")
VALUES (@id, @api_identifier, @user_id, now());

-- name: GetVoteById :one
SELECT * FROM "ApiIntegrationVote" WHERE "id" = $1;

-- name: GetVote :opt
SELECT * FROM "public"."ApiIntegrationVote"
WHERE "apiIdentifier" = @api_identifier AND "userId" = @user_id;

-- name: HasUserVoted :one
SELECT count(*) > 0 AS has_voted
FROM "ApiIntegrationVote"
WHERE "apiIdentifier" = @api_identifier AND "userId" = @user_id;

-- Number of votes per API, most wanted first.
-- name: CountVotesByApi :many
SELECT "apiIdentifier", count(*) AS vote_count, min("createdAt") AS first_vote_at, max("createdAt") AS latest_vote_at
FROM "public"."ApiIntegrationVote"
GROUP BY "apiIdentifier"
ORDER BY vote_count DESC, "apiIdentifier"
LIMIT @limit;

-- name: CountVotesForApi :one
SELECT count(*) AS vote_count FROM "ApiIntegrationVote" WHERE "apiIdentifier" = $1;

-- The users who voted for an API, oldest vote first.
-- name: ListVotersForApi :many
SELECT v."id", v."userId", v."createdAt", u.email, u.display_name
FROM "public"."ApiIntegrationVote" AS v
INNER JOIN users AS u ON u.id = v."userId"
WHERE v."apiIdentifier" = @api_identifier
ORDER BY v."createdAt", v."id"
LIMIT @limit OFFSET @offset;

-- name: ListVotesByUser :many
SELECT v.*
FROM "ApiIntegrationVote" v
WHERE v."userId" = @user_id
ORDER BY v."createdAt" DESC;

-- Every user, with their vote for the given API if they cast one (the vote
-- columns are NULL otherwise).
-- name: ListUsersWithVoteStatus :many
SELECT u.id AS user_id, u.email, v."id" AS vote_id, v."createdAt" AS voted_at
FROM "public"."ApiIntegrationVote" AS v
RIGHT JOIN users AS u ON u.id = v."userId" AND v."apiIdentifier" = @api_identifier
ORDER BY u.email
LIMIT @limit;

-- Users who voted for either of two APIs, with both vote times (either may be NULL).
-- name: CompareApiVoters :many
WITH first_api AS (
    SELECT "userId", "createdAt" FROM "ApiIntegrationVote" WHERE "apiIdentifier" = @first_api
),
second_api AS (
    SELECT "userId", "createdAt" FROM "ApiIntegrationVote" WHERE "apiIdentifier" = @second_api
)
SELECT coalesce(f."userId", s."userId") AS user_id,
       f."createdAt" AS first_voted_at,
       s."createdAt" AS second_voted_at
FROM first_api AS f
FULL OUTER JOIN second_api AS s ON s."userId" = f."userId"
ORDER BY user_id;

-- Withdraws a vote and returns it; no row if there was none.
-- name: DeleteVote :opt
DELETE FROM "public"."ApiIntegrationVote"
WHERE "apiIdentifier" = @api_identifier AND "userId" = @user_id
RETURNING "id", "createdAt";

-- name: DeleteVotesForApi :execrows
DELETE FROM "ApiIntegrationVote" WHERE "apiIdentifier" = $1;

-- Looks up one vote by id per item, all in one round trip; a missing vote is
-- that item's `Error::NotFound`.
-- name: GetVotesById :batchone
SELECT * FROM "ApiIntegrationVote" WHERE "id" = $1;

-- The voters of each API, oldest vote first, all in one round trip.
-- name: ListVoterIdsForApis :batchmany
SELECT "userId" FROM "ApiIntegrationVote" WHERE "apiIdentifier" = @api_identifier ORDER BY "createdAt", "id";

-- Records many votes in one round trip; each duplicate is that item's error
-- (a unique violation) and does not stop the others.
-- name: CastVotes :batchexec
INSERT INTO "public"."ApiIntegrationVote" ("id", "apiIdentifier", "userId", "updatedAt")
VALUES (@id, @api_identifier, @user_id, now());

-- Withdraws many votes in one round trip.
-- name: DeleteVotes :batchexec
DELETE FROM "ApiIntegrationVote" WHERE "apiIdentifier" = @api_identifier AND "userId" = @user_id;

-- Imports votes in bulk (binary COPY); a duplicate fails the whole import.
-- name: ImportVotes :copyfrom
INSERT INTO "public"."ApiIntegrationVote" ("id", "apiIdentifier", "userId", "createdAt", "updatedAt")
VALUES (@id, @api_identifier, @user_id, @created_at, @updated_at);
