-- Where each pipeline is in each partition, written in the same transaction as the
-- rows it produced (exactly-once without XA). The watermark is stored with the offset
-- so a restart does not turn late records into on-time ones.
CREATE TABLE streamz_offsets (
    pipeline    text        NOT NULL,
    topic       text        NOT NULL,
    partition   integer     NOT NULL,
    next_offset bigint      NOT NULL,
    watermark   bigint,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (pipeline, topic, partition)
);
