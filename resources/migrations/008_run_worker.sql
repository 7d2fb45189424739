-- Where a Run trains (issue 12): NULL on this machine; 'queue' while it waits on the job queue;
-- otherwise the name of the worker that took it.
ALTER TABLE runs ADD COLUMN worker TEXT;
