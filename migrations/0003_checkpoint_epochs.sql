-- Each checkpoint of a partition bumps its epoch, and a checkpoint only applies over
-- the epoch it started from. That tells a retry whose COMMIT reply was lost that it
-- already landed (epoch + 1), and fences a former owner of the partition (any other
-- epoch) instead of letting it write over the new owner's work.
-- checkpoint_id names the write that set the epoch, so a retry only takes an epoch
-- it finds as its own.
ALTER TABLE streamz_offsets ADD COLUMN epoch bigint NOT NULL DEFAULT 0;
ALTER TABLE streamz_offsets ADD COLUMN checkpoint_id text;

-- Open-window state is a compact binary encoding (StreamzPostgres' WindowStateCoding):
-- JSON of every open (key, window) cost too much to write on every checkpoint.
ALTER TABLE streamz_window_state ALTER COLUMN state TYPE bytea USING convert_to(state::text, 'UTF8');
