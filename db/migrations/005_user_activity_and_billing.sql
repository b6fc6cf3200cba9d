-- +goose Up
-- Later schema evolution, written with ALTER TABLE on purpose: login
-- tracking for users, billing fields for organizations, stricter projects.

ALTER TABLE users
    ADD COLUMN last_login_at timestamptz,
    ADD COLUMN last_login_ip inet;

ALTER TABLE users DROP COLUMN is_on_cloud_waitlist;

ALTER TABLE users RENAME COLUMN referral_source TO signup_source;

COMMENT ON COLUMN users.last_login_ip IS 'Address of the most recent successful login.';

ALTER TABLE organizations ADD COLUMN monthly_spend_limit numeric(12, 2);
ALTER TABLE organizations ADD COLUMN trial_ends_on date;
ALTER TABLE organizations ADD COLUMN avatar_thumbnail bytea;
ALTER TABLE organizations ALTER COLUMN company_size TYPE varchar(64);

COMMENT ON COLUMN organizations.monthly_spend_limit IS 'Spending cap in USD per month; NULL means unlimited.';

ALTER TABLE org_members ALTER COLUMN role SET DEFAULT 'MEMBER';

ALTER TABLE projects ALTER COLUMN external_ref SET NOT NULL;

-- +goose Down
ALTER TABLE projects ALTER COLUMN external_ref DROP NOT NULL;

ALTER TABLE org_members ALTER COLUMN role DROP DEFAULT;

ALTER TABLE organizations ALTER COLUMN company_size TYPE varchar(32);
ALTER TABLE organizations DROP COLUMN avatar_thumbnail;
ALTER TABLE organizations DROP COLUMN trial_ends_on;
ALTER TABLE organizations DROP COLUMN monthly_spend_limit;

ALTER TABLE users RENAME COLUMN signup_source TO referral_source;
ALTER TABLE users ADD COLUMN is_on_cloud_waitlist boolean NOT NULL DEFAULT false;
ALTER TABLE users
    DROP COLUMN last_login_ip,
    DROP COLUMN last_login_at;
