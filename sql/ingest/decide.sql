-- Decide, for every staged row, whether it is accepted or why it is rejected.
-- One reason per row, the first that applies in this order: the reader's error, invalid
-- or missing id, tags not a list, no text at all (title, description and tags empty),
-- image not a regular file / unreadable / missing / absent (the last two only unless
-- text-only listings are allowed), id already in products, duplicate id within the file
-- (the first otherwise-acceptable row of an id wins, so a bad first copy does not cost
-- the good one).
-- Reads: ingest_mapped, ingest_image_check (candidate, image_path, kind: file / missing /
-- not_a_file / unreadable, from the filesystem), products.
-- Writes: temp table ingest_decided (source_row, image_path: absolute, set when the image
-- is a readable file; image_kind, reason: NULL = accepted, detail).
-- Parameters: $allow_text_only (accept listings without an image file).
CREATE OR REPLACE TEMP TABLE ingest_decided AS
WITH checked AS (
    SELECT
        m.source_row, m.read_error, m.read_detail, m.id_type, m.product_id, m.tags_type,
        m.tags_error, m.image_value,
        m.title IS NULL AND m.description IS NULL AND m.tags IS NULL AS textless,
        c.image_path AS resolved_image,
        c.kind AS image_kind,
        p.source AS prior_source,
        p.source_row AS prior_row
    FROM ingest_mapped AS m
    LEFT JOIN ingest_image_check AS c ON c.candidate = m.image_value
    LEFT JOIN products AS p ON p.product_id = m.product_id
),
first_pass AS (
    SELECT
        *,
        CASE
            WHEN read_error IS NOT NULL THEN read_error
            WHEN id_type IN ('OBJECT', 'ARRAY') THEN 'invalid_id'
            WHEN product_id IS NULL THEN 'missing_id'
            WHEN tags_error THEN 'tags_not_a_list'
            WHEN textless THEN 'no_text'
            WHEN image_kind = 'not_a_file' THEN 'image_not_a_file'
            WHEN image_kind = 'unreadable' THEN 'image_unreadable'
            WHEN image_kind = 'missing' AND NOT $allow_text_only THEN 'image_missing'
            WHEN image_value IS NULL AND NOT $allow_text_only THEN 'no_image'
            WHEN prior_source IS NOT NULL THEN 'id_in_products'
        END AS pre_reason
    FROM checked
),
ranked AS (
    SELECT
        *,
        row_number() OVER same_id AS copy_number,
        first_value(source_row) OVER same_id AS first_row
    FROM first_pass
    WINDOW same_id AS (PARTITION BY product_id, pre_reason IS NULL ORDER BY source_row)
)
SELECT
    source_row,
    CASE WHEN image_kind = 'file' THEN resolved_image END AS image_path,
    image_kind,
    coalesce(pre_reason, CASE WHEN copy_number > 1 THEN 'duplicate_id' END) AS reason,
    CASE coalesce(pre_reason, CASE WHEN copy_number > 1 THEN 'duplicate_id' END)
        WHEN 'invalid_id' THEN 'id is a JSON ' || lower(id_type)
        WHEN 'missing_id' THEN 'the id is empty'
        WHEN 'tags_not_a_list' THEN 'tags are a JSON ' || lower(tags_type)
            || CASE WHEN tags_type = 'ARRAY' THEN ' holding lists or objects' ELSE '' END
        WHEN 'no_text' THEN 'title, description and tags are all empty'
        WHEN 'image_not_a_file' THEN 'not a regular file: ' || resolved_image
        WHEN 'image_unreadable' THEN 'cannot be read: ' || resolved_image
        WHEN 'image_missing' THEN 'no such file: ' || resolved_image
        WHEN 'no_image' THEN 'no image path'
        WHEN 'id_in_products' THEN 'already in products from ' || prior_source || ' row ' || prior_row
        WHEN 'duplicate_id' THEN 'same id as row ' || first_row
        ELSE read_detail
    END AS detail
FROM ranked;
