-- Which images already have a sweep at a setting, and with which patch sizes.
-- Reads: occlusion_sweeps. Writes: nothing.
-- Parameters: $model_id, $size, $stride.
SELECT product_id, list(patch ORDER BY patch) AS patches
FROM occlusion_sweeps
WHERE model_id = $model_id AND size = $size AND stride = $stride
GROUP BY product_id;
