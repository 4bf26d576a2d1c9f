-- Set each row's image path (or the reason it has none) from the rendered template.
-- Reads: ingest_template_paths (Arrow table registered by Python: source_row,
-- image_value, image_error, image_detail). Writes: ingest_mapped (image_value,
-- image_error, image_detail). Parameters: none.
UPDATE ingest_mapped AS m
SET image_value = t.image_value, image_error = t.image_error, image_detail = t.image_detail
FROM ingest_template_paths AS t
WHERE m.source_row = t.source_row;
