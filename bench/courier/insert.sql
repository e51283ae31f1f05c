-- The statement courier runs for each POST /messages: the message and its outbox row, in one
-- statement (one transaction). pgbench runs it as the database's own ceiling.
WITH m AS (
    INSERT INTO messages (channel, sender, body, idempotency_key, payload_hash)
    VALUES ('bench', 'pgbench', 'a benchmark message of about the size of a small chat line', NULL, NULL)
    ON CONFLICT (idempotency_key) DO NOTHING
    RETURNING id
), o AS (
    INSERT INTO outbox (message_id) SELECT id FROM m
)
SELECT id FROM m;
