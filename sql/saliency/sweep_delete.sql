-- Remove the stored sweeps of one image at one sweep setting (before it is swept again).
-- Reads: occlusion_sweeps. Writes: occlusion_sweeps.
-- Parameters: $model_id, $product_id, $size, $stride.
DELETE FROM occlusion_sweeps
WHERE model_id = $model_id AND product_id = $product_id AND size = $size AND stride = $stride;
