/* Spark-only: what a depth run wrote, for the run summary (sql/depth/magnitude.sql, which */
/* the DuckDB stage reports, groups with a correlated scalar subquery Spark refuses). */
/* Reads: layer_depth. Writes: nothing. Parameters: :model_id, :scope. */
SELECT
  COUNT(DISTINCT word) AS n_words,
  COUNT(DISTINCT layer_index) AS n_layers
FROM layer_depth
WHERE
  model_id = :model_id AND scope = :scope;

