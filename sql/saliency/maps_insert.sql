-- Store attribute maps.
-- Reads: the registered Arrow table map_rows (model_id, scope, product_id, word, method, k,
-- height, width, map, run_id). Writes: saliency_maps. Parameters: none.
INSERT INTO saliency_maps (model_id, scope, product_id, word, method, k, height, width, "map", run_id)
SELECT model_id, scope, product_id, word, method, k, height, width, CAST("map" AS FLOAT[]), run_id
FROM map_rows;
