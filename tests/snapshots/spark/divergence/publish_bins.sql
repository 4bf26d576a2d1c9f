DELETE FROM unit_bins
WHERE
  model_id = :model_id AND scope = :scope;

INSERT INTO unit_bins (
  model_id,
  scope,
  unit_id,
  edges,
  constant
)
SELECT
  :model_id,
  :scope,
  unit_id,
  edges,
  constant
FROM divergence_edges;

