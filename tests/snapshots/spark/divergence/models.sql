SELECT
  model_id
FROM models
ORDER BY
  model_id NULLS LAST;

