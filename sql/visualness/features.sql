-- The feature matrix of a visualness run: one activation vector per universe product, in
-- row_idx order (the stage flattens the FLOAT[] column through Arrow into a numpy matrix).
-- Reads: visualness_universe (temp, from universe.sql), activation_vectors.
-- Writes: nothing. Parameters: $model_id.

SELECT u.row_idx, v.vals
FROM visualness_universe AS u
JOIN activation_vectors AS v ON v.product_id = u.product_id AND v.model_id = $model_id
ORDER BY u.row_idx;
