-- A pruned Trial's value is where it stood when its Study stopped it (its last Epoch), as a
-- completed Trial's is its final one. Trials pruned before kept their best Epoch instead, which
-- made a Trial that fell behind look better than the winner.
UPDATE trials SET value = last.value
FROM (
  -- SQLite takes the bare column `value` from the row of max(epoch).
  SELECT trial_id, value, max(epoch)
  FROM (
    SELECT t.id AS trial_id, e.epoch, CASE s.objective WHEN 'valLoss' THEN e.val_loss ELSE e.val_accuracy END AS value
    FROM trials t JOIN studies s ON s.id = t.study_id JOIN epochs e ON e.run_id = t.run_id
    WHERE t.status = 'pruned'
  )
  WHERE value IS NOT NULL
  GROUP BY trial_id
) AS last
WHERE trials.id = last.trial_id;
