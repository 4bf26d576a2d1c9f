-- explorer/image_file: an accepted listing's image file and the images root it was
-- ingested with (the explorer serves the file only inside that root).
-- Reads: explorer_images. Writes: nothing. Parameters: $product_id.
SELECT image_path, images_root
FROM explorer_images
WHERE product_id = $product_id;
