-- name: CreateProduct :one
INSERT INTO products (sku, price, sale_price) VALUES ($1, $2, $3) RETURNING *;

-- name: SetSalePrice :exec
UPDATE products SET sale_price = $2 WHERE sku = $1;

-- name: GetProduct :one
SELECT * FROM products WHERE sku = $1;

-- name: CreateOrder :one
INSERT INTO orders (product_id, total_cents, placed_at) VALUES ($1, $2, $3) RETURNING *;

-- name: OrdersPlacedSince :many
SELECT o.id, p.sku, o.total_cents, o.refund_cents, o.placed_at
FROM orders o JOIN products p ON p.id = o.product_id
WHERE o.placed_at >= $1
ORDER BY o.placed_at;

-- name: ShipOrder :one
UPDATE orders SET status = 'shipped' WHERE id = $1 RETURNING status;

-- name: OrdersOver :many
SELECT id FROM orders WHERE total_cents > $1 ORDER BY id;
