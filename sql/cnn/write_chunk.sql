-- Append one chunk of extraction results (the caller commits them together).
-- Reads: extract_chunk_vectors (model_id, product_id, vals FLOAT[]) and
--   extract_chunk_errors (model_id, product_id, reason), Arrow tables registered by
--   attrdb.cnn.extract. Writes: activation_vectors, activation_errors. Parameters: none.
INSERT INTO activation_vectors (model_id, product_id, vals)
SELECT model_id, product_id, vals FROM extract_chunk_vectors;

INSERT INTO activation_errors (model_id, product_id, reason)
SELECT model_id, product_id, reason FROM extract_chunk_errors;
