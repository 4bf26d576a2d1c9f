/* Spark-only: how a scope draws its negatives (scopes.definition, JSON), so the Spark plan */
/* can refuse category-matched negatives, which only the DuckDB stage computes. */
/* Reads: scopes. Writes: nothing. Parameters: :scope. */
SELECT
  COALESCE(GET_JSON_OBJECT(definition, '$.negatives'), 'random') AS negatives
FROM scopes
WHERE
  scope = :scope;

