DELETE FROM prime_units
WHERE
  model_id = :model_id AND scope = :scope;

WITH top AS (
  SELECT
    word,
    MAX_BY(
      STRUCT(unit_id AS unit_id, kl AS kl, kl_z AS kl_z),
      STRUCT(COALESCE(kl_z, kl) AS score, -unit_id AS neg_unit)
    ) AS units
  FROM unit_word_divergence
  WHERE
    model_id = :model_id AND scope = :scope
  GROUP BY
    word
)
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
  :model_id,
  :scope,
  word,
  units[(
    i
  ) - 1].unit_id,
  CAST(i AS INT),
  units[(
    i
  ) - 1].kl,
  units[(
    i
  ) - 1].kl_z
FROM (
  SELECT
    word,
    units,
    GENERATE_SUBSCRIPTS(units, 1) AS i
  FROM top
);

