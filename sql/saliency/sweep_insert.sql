-- Store one image's occlusion sweep, one row per patch size.
-- Reads: the registered Arrow table sweep_rows (columns as occlusion_sweeps, no swept_at).
-- Writes: occlusion_sweeps. Parameters: none.
INSERT INTO occlusion_sweeps (
    model_id, product_id, size, patch, stride, n_y, n_x, n_units,
    image_height, image_width, base, delta
)
SELECT
    model_id, product_id, size, patch, stride, n_y, n_x, n_units,
    image_height, image_width, CAST(base AS FLOAT[]), delta
FROM sweep_rows;
