-- Decide, for every staged row, whether it is accepted or why it is rejected.
-- One reason per row, the first that applies in this order: the reader's error, invalid
-- or missing id, an invisible or control character in the id, tags not a list, no text at
-- all (title, description and tags empty), the image template's verdict (a field empty,
-- absolute or holding '..', a format spec that does not apply), image path outside the
-- images root, not a regular file / unreadable / missing / absent (the last two only
-- unless text-only listings are allowed), id already in products, duplicate id within the
-- file (the first otherwise-acceptable row of an id wins, so a bad first copy does not
-- cost the good one).
-- Reads: ingest_mapped, ingest_image_check (candidate, image_path: the real path, kind:
-- file / missing / not_a_file / unreadable / outside_root, detail; from the filesystem),
-- products.
-- Writes: temp table ingest_decided (source_row, image_path: real path, set when the image
-- is a readable file under the root; image_kind, reason: NULL = accepted, detail).
-- Parameters: $allow_text_only (accept listings without an image file).
CREATE OR REPLACE TEMP TABLE ingest_decided AS
WITH checked AS (
    SELECT
        m.source_row, m.read_error, m.read_detail, m.id_type, m.product_id, m.id_bad_char,
        m.tags_type, m.tags_error, m.image_value, m.image_error, m.image_detail,
        m.title IS NULL AND m.description IS NULL AND m.tags IS NULL AS textless,
        c.image_path AS resolved_image,
        c.kind AS image_kind,
        c.detail AS check_detail,
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
            WHEN id_bad_char IS NOT NULL THEN 'invalid_id_character'
            WHEN tags_error THEN 'tags_not_a_list'
            WHEN textless THEN 'no_text'
            WHEN image_error = 'no_image' AND $allow_text_only THEN NULL
            WHEN image_error IS NOT NULL THEN image_error
            WHEN image_kind = 'outside_root' THEN 'image_outside_root'
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
    CASE
        WHEN pre_reason IS NOT NULL AND pre_reason = image_error THEN image_detail
        ELSE CASE coalesce(pre_reason, CASE WHEN copy_number > 1 THEN 'duplicate_id' END)
            WHEN 'invalid_id' THEN 'id is a JSON ' || lower(id_type)
            WHEN 'missing_id' THEN 'the id is empty'
            WHEN 'invalid_id_character' THEN 'the id holds '
                || printf('U+%04X', unicode(id_bad_char))
                || ', an invisible, control or non-standard space character'
            WHEN 'tags_not_a_list' THEN 'tags are a JSON ' || lower(tags_type)
                || CASE WHEN tags_type = 'ARRAY' THEN ' holding lists or objects' ELSE '' END
            WHEN 'no_text' THEN 'title, description and tags are all empty'
            WHEN 'image_outside_root' THEN check_detail
            WHEN 'image_not_a_file' THEN 'not a regular file: ' || resolved_image
            WHEN 'image_unreadable' THEN 'cannot be read: ' || resolved_image
            WHEN 'image_missing' THEN 'no such file: ' || resolved_image
            WHEN 'no_image' THEN 'no image path'
            WHEN 'id_in_products' THEN 'already in products from ' || prior_source || ' row ' || prior_row
            WHEN 'duplicate_id' THEN 'same id as row ' || first_row
            ELSE read_detail
        END
    END AS detail
FROM ranked;
