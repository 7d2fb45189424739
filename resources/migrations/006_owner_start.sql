-- When the process that runs a Run or a Study started, beside its pid: after a reboot another
-- process may hold the same pid, and only the start time tells that the owner is gone.
ALTER TABLE runs ADD COLUMN owner_started TEXT;
ALTER TABLE studies ADD COLUMN owner_started TEXT;
