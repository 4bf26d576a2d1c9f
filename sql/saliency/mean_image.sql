-- The catalogue's stored mean image at a sweep size.
-- Reads: occlusion_mean_images. Writes: nothing. Parameters: $size.
SELECT n_images, pixels FROM occlusion_mean_images WHERE size = $size;
