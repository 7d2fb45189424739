-- Why a Trial failed when it never got a Run (its settings were refused before training started).
ALTER TABLE trials ADD COLUMN error TEXT;
