-- The process that runs a Run or a Study. At start-up only the Runs and Studies whose process is
-- gone are marked interrupted: the command line opening the history while the app trains must
-- not mark the app's Run as interrupted.
ALTER TABLE runs ADD COLUMN owner_pid INTEGER;
ALTER TABLE studies ADD COLUMN owner_pid INTEGER;
