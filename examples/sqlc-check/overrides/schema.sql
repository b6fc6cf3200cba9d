CREATE DOMAIN cents AS bigint CHECK (VALUE >= 0);

CREATE TABLE products (
    id         serial PRIMARY KEY,
    sku        text NOT NULL UNIQUE,
    price      cents NOT NULL,
    sale_price cents
);

CREATE TYPE order_status AS ENUM ('placed', 'shipped');

CREATE TABLE orders (
    id           serial PRIMARY KEY,
    product_id   int NOT NULL REFERENCES products (id),
    total_cents  bigint NOT NULL,
    refund_cents bigint,
    placed_at    timestamptz NOT NULL,
    status       order_status NOT NULL DEFAULT 'placed'
);
