BEGIN;
CREATE INDEX CONCURRENTLY orders_user_id ON orders (user_id);
COMMIT;
