-- The last label check of each Dataset (probably mislabeled images, near-duplicates across the
-- split), and what the user decided about an image: exclude it from training or keep it as it is.
-- The folder itself is never changed; an exclusion is recorded in each Run's config.
CREATE TABLE label_checks (
  dataset_id   INTEGER PRIMARY KEY REFERENCES datasets(id) ON DELETE CASCADE,
  fingerprint  TEXT NOT NULL,
  checked_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  result_json  TEXT NOT NULL
);

CREATE TABLE label_reviews (
  dataset_id  INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
  path        TEXT NOT NULL,
  decision    TEXT NOT NULL CHECK (decision IN ('exclude', 'keep')),
  PRIMARY KEY (dataset_id, path)
);
