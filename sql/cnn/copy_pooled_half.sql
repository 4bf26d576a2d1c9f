-- Store the max or mean half of a 'both' feature set of the same network as a feature set
-- of its own, without running the network again: a 'both' vector holds the max units
-- (1..n) then the mean units (n+1..2n), computed from the same feature maps a 'max' or
-- 'mean' extraction pools. Only products the target does not have yet are copied (so a
-- rerun adds nothing); image errors are copied too.
-- Reads: products, kept_products, activation_vectors, activation_errors.
-- Writes: activation_vectors, activation_errors (rows of $target).
-- Parameters: $source ('both' model id), $target (model id), $pooling ('max' or 'mean'),
--   $n_units (units of the target), $all_products (BOOLEAN: every product with an image,
--   else only kept products after dedup).
INSERT INTO activation_vectors (model_id, product_id, vals)
SELECT
    $target,
    v.product_id,
    CASE WHEN $pooling = 'max' THEN v.vals[1:$n_units]
         ELSE v.vals[$n_units + 1:2 * $n_units] END
FROM activation_vectors AS v
JOIN products AS p ON p.product_id = v.product_id
WHERE v.model_id = $source
  AND p.image_path IS NOT NULL
  AND ($all_products OR p.product_id IN (SELECT k.product_id FROM kept_products AS k))
  AND NOT EXISTS (
      SELECT 1 FROM activation_vectors AS t
      WHERE t.model_id = $target AND t.product_id = v.product_id)
  AND NOT EXISTS (
      SELECT 1 FROM activation_errors AS e
      WHERE e.model_id = $target AND e.product_id = v.product_id);

INSERT INTO activation_errors (model_id, product_id, reason)
SELECT $target, e.product_id, e.reason
FROM activation_errors AS e
JOIN products AS p ON p.product_id = e.product_id
WHERE e.model_id = $source
  AND ($all_products OR p.product_id IN (SELECT k.product_id FROM kept_products AS k))
  AND NOT EXISTS (
      SELECT 1 FROM activation_vectors AS t
      WHERE t.model_id = $target AND t.product_id = e.product_id)
  AND NOT EXISTS (
      SELECT 1 FROM activation_errors AS t
      WHERE t.model_id = $target AND t.product_id = e.product_id);
