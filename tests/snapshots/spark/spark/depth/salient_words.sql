/* Spark override of sql/depth/salient_words.sql: the :n words of largest relative */
/* magnitude in each layer, ties by word, in the same order. DuckDB filters with QUALIFY; */
/* its translation orders the rows only inside a subquery, which Spark need not keep. */
/* Reads: layer_depth. Writes: nothing. Parameters: :model_id, :scope, :n. */
SELECT
  layer,
  layer_index,
  word,
  relative,
  max_kl
FROM (
  SELECT
    layer,
    layer_index,
    word,
    COALESCE(relative_z, relative) AS relative,
    max_kl,
    ROW_NUMBER() OVER (PARTITION BY layer_index ORDER BY COALESCE(relative_z, relative) DESC, word) AS r
  FROM layer_depth
  WHERE
    model_id = :model_id AND scope = :scope
)
WHERE
  r <= :n
ORDER BY
  layer_index,
  relative DESC,
  word;

