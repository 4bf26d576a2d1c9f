-- Map each staged row's JSON document onto the products fields.
-- Each document is parsed once (one json_extract with a list of paths). Text fields lose
-- surrounding white space (a regexp: DuckDB's trim() is several times slower on long
-- descriptions); blank values become NULL. Ids also lose Unicode spaces around them and
-- are NFC-normalised, so ids that differ only in normalisation are the same id; an
-- invisible or control character inside an id is noted (id_bad_char) for rejection.
-- Tags come from a JSON list of scalars or, when $tags_delimiter is set, from a
-- delimited string. The image path is the image column's value; an image template fills
-- it later (apply_template.sql), as it does image_error / image_detail.
-- Reads: ingest_input. Writes: temp table ingest_mapped (one row per input row, no document).
-- Parameters: $field_paths (JSON paths of id, shop, title, description, category, image,
-- tags, in that order, such as '$."brand"'; an unmapped field gets '$[0]', which selects
-- nothing in an object), $tags_delimiter (NULL = a string is not a list), $metadata_keys
-- and $metadata_paths (column names and their JSON paths, same order; empty = no metadata).
CREATE OR REPLACE TEMP TABLE ingest_mapped AS
WITH picked AS (
    SELECT
        source_row,
        read_error,
        read_detail,
        json_extract(doc, CAST($field_paths AS VARCHAR[])) AS v,
        CASE WHEN len(CAST($metadata_paths AS VARCHAR[])) > 0
            THEN json_extract(doc, CAST($metadata_paths AS VARCHAR[]))
        END AS meta
    FROM ingest_input
),
fields AS (
    SELECT
        source_row,
        read_error,
        read_detail,
        json_type(v[1]) AS id_type,
        nfc_normalize(nullif(regexp_replace(v[1] ->> '$', '^[\s\p{Z}]+|[\s\p{Z}]+$', '', 'g'), ''))
            AS product_id,
        nullif(regexp_replace(v[2] ->> '$', '^\s+|\s+$', '', 'g'), '') AS shop,
        nullif(regexp_replace(v[3] ->> '$', '^\s+|\s+$', '', 'g'), '') AS title,
        nullif(regexp_replace(v[4] ->> '$', '^\s+|\s+$', '', 'g'), '') AS description,
        nullif(regexp_replace(v[5] ->> '$', '^\s+|\s+$', '', 'g'), '') AS category,
        nullif(regexp_replace(v[6] ->> '$', '^\s+|\s+$', '', 'g'), '') AS image_column,
        json_type(v[7]) AS tags_type,
        v[7] AS tags_json,
        -- {"key": value, ...} spelled out: 2-3x faster than to_json(map(keys, meta)),
        -- same text (keys JSON-escaped by to_json, values already JSON, absent = null).
        CASE WHEN meta IS NOT NULL THEN CAST(
            '{' || array_to_string(
                [to_json(kv[1]) || ':' || coalesce(kv[2], 'null')
                 FOR kv IN list_zip(CAST($metadata_keys AS VARCHAR[]), meta)],
                ','
            ) || '}' AS JSON)
        END AS metadata
    FROM picked
),
tag_items AS (
    SELECT
        *,
        CASE
            WHEN tags_type = 'ARRAY' THEN [json_type(e) FOR e IN from_json(tags_json, '["JSON"]')]
        END AS element_types,
        CASE
            WHEN tags_type = 'ARRAY' THEN [e ->> '$' FOR e IN from_json(tags_json, '["JSON"]')]
            WHEN tags_type = 'VARCHAR' AND $tags_delimiter IS NOT NULL
                THEN string_split(tags_json ->> '$', CAST($tags_delimiter AS VARCHAR))
        END AS items
    FROM fields
)
SELECT
    source_row,
    read_error,
    read_detail,
    id_type,
    product_id,
    -- Control, format (zero-width, bidi, BOM), private-use and line/paragraph separators,
    -- spaces other than U+0020, and characters that render as nothing.
    nullif(regexp_extract(product_id,
        '[\p{Cc}\p{Cf}\p{Co}\p{Zl}\p{Zp}\x{00A0}\x{1680}\x{2000}-\x{200A}\x{202F}\x{205F}\x{3000}'
        || '\x{034F}\x{115F}\x{1160}\x{3164}\x{FFA0}\x{2800}\x{FE00}-\x{FE0F}\x{FFFC}\x{FFFD}]'), '')
        AS id_bad_char,
    shop,
    title,
    description,
    category,
    image_column AS image_value,
    NULL::VARCHAR AS image_error,
    NULL::VARCHAR AS image_detail,
    nullif(
        [regexp_replace(t, '^\s+|\s+$', '', 'g') FOR t IN items
         IF regexp_replace(t, '^\s+|\s+$', '', 'g') <> ''],
        []
    ) AS tags,
    tags_type,
    coalesce(tags_type NOT IN ('NULL', 'ARRAY', 'VARCHAR')
             OR (tags_type = 'VARCHAR' AND $tags_delimiter IS NULL)
             OR list_has_any(element_types, ['OBJECT', 'ARRAY']), false) AS tags_error,
    metadata
FROM tag_items;
