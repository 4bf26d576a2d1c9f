DELETE FROM unit_word_divergence
WHERE
  model_id = :model_id AND scope = :scope;

INSERT INTO unit_word_divergence (
  model_id,
  scope,
  word,
  unit_id,
  kl,
  n_pos,
  n_neg
)
SELECT
  :model_id,
  :scope,
  word,
  unit_id,
  kl,
  n_pos,
  n_neg
FROM divergence_kl;

