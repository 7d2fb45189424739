-- Images per second of each Iteration, so a reopened Run shows its speed as it was live.
ALTER TABLE iterations ADD COLUMN images_per_second REAL;
