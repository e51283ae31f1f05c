-- Messages and their outbox. A message and its outbox row are written by one statement, so in one
-- transaction; the relay deletes the outbox row once SNS has accepted the message.
CREATE TABLE messages (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    channel         text        NOT NULL,
    sender          text        NOT NULL,
    body            text        NOT NULL,
    status          text        NOT NULL DEFAULT 'accepted'
                    CHECK (status IN ('accepted', 'published', 'delivered')),
    -- The client's Idempotency-Key and the hash of the request it came with: the last line of
    -- defence when the DynamoDB record is missing (say the process died before completing it).
    idempotency_key text UNIQUE,
    payload_hash    text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    published_at    timestamptz,
    delivered_at    timestamptz,
    -- How many times the worker received this message from SQS (duplicates are absorbed).
    receipts        integer     NOT NULL DEFAULT 0
);

CREATE INDEX messages_channel_id ON messages (channel, id);

CREATE TABLE outbox (
    message_id bigint PRIMARY KEY REFERENCES messages (id),
    created_at timestamptz NOT NULL DEFAULT now()
);
