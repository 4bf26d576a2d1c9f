SELECT
  (
    SELECT
      COUNT(*)
    FROM unit_bins
    WHERE
      model_id = :model_id AND scope = :scope
  ),
  (
    SELECT
      COUNT(*)
    FROM unit_bins
    WHERE
      model_id = :model_id AND scope = :scope AND constant
  ),
  (
    SELECT
      COUNT(*)
    FROM unit_word_divergence
    WHERE
      model_id = :model_id AND scope = :scope
  ),
  (
    SELECT
      COUNT(*)
    FROM prime_units
    WHERE
      model_id = :model_id AND scope = :scope
  );

