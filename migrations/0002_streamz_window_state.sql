-- The open-window state of a pipeline's window operator (partial aggregates and the
-- per-partition watermarks), checkpointed with the offsets. One row per pipeline and
-- partition, the state as JSON (the Codable form of WindowCheckpoint and
-- WatermarkState).
CREATE TABLE streamz_window_state (
    pipeline   text        NOT NULL,
    topic      text        NOT NULL,
    partition  integer     NOT NULL,
    state      jsonb       NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (pipeline, topic, partition)
);
