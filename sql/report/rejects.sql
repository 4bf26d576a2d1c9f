-- report/rejects: the most frequent reasons input rows were rejected.
-- Reads: reject_reasons. Writes: nothing. Parameters: $n (rows to show).
SELECT source, reason, n_rows
FROM reject_reasons
ORDER BY n_rows DESC, source, reason
LIMIT $n;
