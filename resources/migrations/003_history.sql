-- Run history: columns the History screen filters and sorts on, derived from the JSON the
-- Run already keeps (virtual, so nothing is written twice), their indexes, and full-text
-- search over Run names and notes.

ALTER TABLE runs ADD COLUMN val_accuracy REAL GENERATED ALWAYS AS (json_extract(summary_json, '$.valAccuracy')) VIRTUAL;
ALTER TABLE runs ADD COLUMN val_loss REAL GENERATED ALWAYS AS (json_extract(summary_json, '$.valLoss')) VIRTUAL;
ALTER TABLE runs ADD COLUMN images_per_second REAL GENERATED ALWAYS AS (json_extract(summary_json, '$.imagesPerSecond')) VIRTUAL;
ALTER TABLE runs ADD COLUMN model TEXT GENERATED ALWAYS AS (json_extract(config_json, '$.model')) VIRTUAL;

CREATE INDEX runs_val_accuracy ON runs(val_accuracy);
CREATE INDEX runs_val_loss ON runs(val_loss);
CREATE INDEX runs_duration ON runs(duration_ms);
CREATE INDEX runs_status ON runs(status, created_at);
CREATE INDEX runs_model ON runs(model, created_at);
CREATE INDEX runs_backend ON runs(backend, created_at);
CREATE INDEX runs_name ON runs(name COLLATE NOCASE);

-- External-content FTS5 over runs(name, notes): the text lives once, in runs.
CREATE VIRTUAL TABLE runs_search USING fts5(name, notes, content = 'runs', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2');
INSERT INTO runs_search (runs_search) VALUES ('rebuild');

CREATE TRIGGER runs_search_insert AFTER INSERT ON runs BEGIN
  INSERT INTO runs_search (rowid, name, notes) VALUES (new.id, new.name, new.notes);
END;
CREATE TRIGGER runs_search_delete AFTER DELETE ON runs BEGIN
  INSERT INTO runs_search (runs_search, rowid, name, notes) VALUES ('delete', old.id, old.name, old.notes);
END;
-- Only a change of the searched text touches the index (status updates during training do not).
CREATE TRIGGER runs_search_update AFTER UPDATE OF name, notes ON runs BEGIN
  INSERT INTO runs_search (runs_search, rowid, name, notes) VALUES ('delete', old.id, old.name, old.notes);
  INSERT INTO runs_search (rowid, name, notes) VALUES (new.id, new.name, new.notes);
END;
