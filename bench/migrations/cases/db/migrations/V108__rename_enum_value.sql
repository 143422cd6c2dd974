ALTER TYPE order_state RENAME VALUE 'sent' TO 'shipped';
