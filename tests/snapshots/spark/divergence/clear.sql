DELETE FROM unit_word_divergence
WHERE
  model_id = :model_id AND scope = :scope;

