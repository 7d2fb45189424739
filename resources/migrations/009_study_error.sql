-- Why a Study ended (failed, stopped, interrupted) gets a column of its own. It was kept as
-- {"message": …} in state_json, the column meant for a strategy's state; older Studies keep their
-- message, moved here. state_json is left as it was (NULL for every Study written from now on).
ALTER TABLE studies ADD COLUMN error TEXT;
UPDATE studies SET error = json_extract(state_json, '$.message') WHERE json_valid(state_json);
