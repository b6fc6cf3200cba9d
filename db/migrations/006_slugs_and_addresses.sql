-- +goose Up
-- URL slugs get a domain of their own, and organizations a postal billing address (a composite type).

-- A URL path segment: lower-case letters, digits and dashes.
CREATE DOMAIN url_slug AS text NOT NULL CHECK (VALUE ~ '^[a-z0-9][a-z0-9-]*$');

CREATE TYPE postal_address AS (
    line1 text,
    line2 text,
    city text,
    postal_code text,
    country_code char(2)
);

ALTER TABLE organizations ALTER COLUMN slug TYPE url_slug;
ALTER TABLE organizations ADD COLUMN billing_address postal_address;
COMMENT ON COLUMN organizations.billing_address IS 'Where invoices go; NULL until billing is set up.';

-- +goose Down
ALTER TABLE organizations DROP COLUMN billing_address;
ALTER TABLE organizations ALTER COLUMN slug TYPE text;
DROP TYPE postal_address;
DROP DOMAIN url_slug;
