-- A Study's objective is spelled as the metric is everywhere else in the studio (valAccuracy,
-- valLoss); Studies written before keep their meaning.
UPDATE studies SET objective = CASE objective WHEN 'val_accuracy' THEN 'valAccuracy' WHEN 'val_loss' THEN 'valLoss' ELSE objective END;
