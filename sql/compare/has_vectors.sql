-- compare/has_vectors: whether a feature set has stored activation vectors.
-- Reads: activation_vectors. Writes: nothing. Parameters: $model_id.
SELECT EXISTS (SELECT 1 FROM activation_vectors WHERE model_id = $model_id);
