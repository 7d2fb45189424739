-- "Find the best model": one row per search. Its Study and final Run are ordinary rows of their
-- own tables; this keeps the budget, the time used (pauses excluded), the phase and the result.
CREATE TABLE auto_searches (
  id            INTEGER PRIMARY KEY,
  name          TEXT NOT NULL,
  folder        TEXT NOT NULL,
  dataset_id    INTEGER REFERENCES datasets(id) ON DELETE SET NULL,
  study_id      INTEGER REFERENCES studies(id) ON DELETE SET NULL,
  final_run_id  INTEGER REFERENCES runs(id) ON DELETE SET NULL,
  budget_ms     INTEGER NOT NULL,
  used_ms       INTEGER NOT NULL DEFAULT 0,
  status        TEXT NOT NULL,                 -- searching | training | paused | completed | stopped | failed | interrupted
  phase         TEXT NOT NULL DEFAULT 'search', -- search | final
  plan_json     TEXT NOT NULL,
  result_json   TEXT,
  error         TEXT,
  owner_pid     INTEGER,
  owner_started TEXT,
  created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  ended_at      TEXT
);
CREATE INDEX auto_searches_study ON auto_searches(study_id);
