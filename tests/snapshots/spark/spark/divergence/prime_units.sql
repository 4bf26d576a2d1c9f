/* Spark override of sql/divergence/prime_units.sql: each word's top units by kl_z (the KL */
/* above chance; raw KL without a null), ties: lower unit_id first, rank 1 = largest. DuckDB */
/* takes a top-k max_by per word; Spark's max_by has no k, so a row_number window ranks the */
/* same order. */
/* Reads: unit_word_divergence. Writes: prime_units (rows of model and scope, replaced). */
/* Parameters: :model_id, :scope, :top_k. */
DELETE FROM prime_units
WHERE
  model_id = :model_id AND scope = :scope;

INSERT INTO prime_units (
  model_id,
  scope,
  word,
  unit_id,
  rank,
  kl,
  kl_z
)
SELECT
  model_id,
  scope,
  word,
  unit_id,
  CAST(rank AS INT),
  kl,
  kl_z
FROM (
  SELECT
    model_id,
    scope,
    word,
    unit_id,
    kl,
    kl_z,
    ROW_NUMBER() OVER (PARTITION BY word ORDER BY COALESCE(kl_z, kl) DESC, unit_id) AS rank
  FROM unit_word_divergence
  WHERE
    model_id = :model_id AND scope = :scope
)
WHERE
  rank <= :top_k;

