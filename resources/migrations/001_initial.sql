-- The first schema: datasets and their file manifests, plus the tables that training,
-- tuning and history fill (runs, metrics, artifacts, studies, trials, tags).

CREATE TABLE datasets (
  id           INTEGER PRIMARY KEY,
  path         TEXT NOT NULL UNIQUE,          -- absolute folder path
  name         TEXT NOT NULL,
  fingerprint  TEXT NOT NULL,
  images       INTEGER NOT NULL,
  report_json  TEXT,                          -- the last DatasetReport; null until a first scan completes
  scanned_at   TEXT,
  created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

-- One row per file seen in a dataset folder: what a re-scan compares against (size, mtime).
CREATE TABLE dataset_files (
  dataset_id   INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
  path         TEXT NOT NULL,                 -- relative, '/' separators
  class        TEXT,                          -- null for files outside any class folder
  size         INTEGER NOT NULL,
  mtime_ms     REAL NOT NULL,
  hash         TEXT,                          -- sha256 of the content; null when unreadable
  format       TEXT,
  width        INTEGER,
  height       INTEGER,
  space        TEXT,                          -- sharp's colour space: b-w, srgb, cmyk, ...
  has_alpha    INTEGER,
  problem      TEXT,                          -- a file-level ProblemKind, null when usable
  message      TEXT,
  PRIMARY KEY (dataset_id, path)
) WITHOUT ROWID;
CREATE INDEX dataset_files_hash ON dataset_files(dataset_id, hash);

CREATE TABLE studies (
  id           INTEGER PRIMARY KEY,
  name         TEXT NOT NULL,
  dataset_id   INTEGER REFERENCES datasets(id) ON DELETE SET NULL,
  strategy     TEXT NOT NULL,                 -- grid | random | bayesian
  objective    TEXT NOT NULL,                 -- val_accuracy | val_loss
  space_json   TEXT NOT NULL,
  config_json  TEXT NOT NULL,
  state_json   TEXT,                          -- the strategy's persisted state, for exact resume
  status       TEXT NOT NULL,
  notes        TEXT NOT NULL DEFAULT '',
  created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  ended_at     TEXT
);

CREATE TABLE runs (
  id           INTEGER PRIMARY KEY,
  name         TEXT NOT NULL,
  dataset_id   INTEGER REFERENCES datasets(id) ON DELETE SET NULL,
  fingerprint  TEXT NOT NULL,                 -- the dataset fingerprint the run trained on
  status       TEXT NOT NULL,                 -- queued | running | paused | completed | stopped | failed | interrupted
  config_json  TEXT NOT NULL,                 -- the full config snapshot
  split_json   TEXT,                          -- the split manifest
  seed         INTEGER NOT NULL,
  backend      TEXT,
  versions_json TEXT,
  summary_json TEXT,                          -- final metrics
  error        TEXT,
  notes        TEXT NOT NULL DEFAULT '',
  study_id     INTEGER REFERENCES studies(id) ON DELETE CASCADE,
  created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  started_at   TEXT,
  ended_at     TEXT,
  duration_ms  INTEGER
);
CREATE INDEX runs_created ON runs(created_at);
CREATE INDEX runs_dataset ON runs(dataset_id);
CREATE INDEX runs_study ON runs(study_id);

CREATE TABLE epochs (
  run_id       INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  epoch        INTEGER NOT NULL,
  train_loss   REAL,
  train_accuracy REAL,
  val_loss     REAL,
  val_accuracy REAL,
  learning_rate REAL,
  duration_ms  INTEGER,
  PRIMARY KEY (run_id, epoch)
) WITHOUT ROWID;

CREATE TABLE iterations (
  run_id       INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  iteration    INTEGER NOT NULL,
  epoch        INTEGER NOT NULL,
  loss         REAL,
  accuracy     REAL,
  learning_rate REAL,
  elapsed_ms   INTEGER,
  PRIMARY KEY (run_id, iteration)
) WITHOUT ROWID;

CREATE TABLE artifacts (
  id           INTEGER PRIMARY KEY,
  run_id       INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  kind         TEXT NOT NULL,                 -- model | checkpoint-last | checkpoint-best | evaluation | ...
  path         TEXT NOT NULL,                 -- relative to the data dir
  bytes        INTEGER,
  created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX artifacts_run ON artifacts(run_id);

CREATE TABLE trials (
  id           INTEGER PRIMARY KEY,
  study_id     INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
  number       INTEGER NOT NULL,
  run_id       INTEGER REFERENCES runs(id) ON DELETE SET NULL,
  params_json  TEXT NOT NULL,
  status       TEXT NOT NULL,                 -- running | completed | pruned | failed
  value        REAL,
  UNIQUE (study_id, number)
);

CREATE TABLE tags (
  run_id       INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  tag          TEXT NOT NULL,
  PRIMARY KEY (run_id, tag)
) WITHOUT ROWID;
CREATE INDEX tags_tag ON tags(tag);
