-- Store the catalogue's mean image at a sweep size (replacing any older one).
-- Reads: nothing. Writes: occlusion_mean_images. Parameters: $size, $n_images, $pixels.
INSERT OR REPLACE INTO occlusion_mean_images (size, n_images, pixels)
VALUES ($size, $n_images, CAST($pixels AS FLOAT[]));
