-- The stored sweep of one image at one setting, one row per patch size.
-- Reads: occlusion_sweeps. Writes: nothing.
-- Parameters: $model_id, $product_id, $size, $stride.
SELECT patch, n_y, n_x, n_units, image_height, image_width, base, delta
FROM occlusion_sweeps
WHERE model_id = $model_id AND product_id = $product_id AND size = $size AND stride = $stride
ORDER BY patch;
