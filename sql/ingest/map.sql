-- Map each staged row's JSON document onto the products fields.
-- Each document is parsed once (one json_extract with a list of paths). Text fields lose
-- surrounding white space (a regexp: DuckDB's trim() is several times slower on long
-- descriptions); blank values become NULL. Tags come from a JSON list of
-- scalars or, when $tags_delimiter is set, from a delimited string.
-- Reads: ingest_input. Writes: temp table ingest_mapped (one row per input row, no document).
-- Parameters: $field_paths (JSON paths of id, shop, title, description, category, image,
-- tags, in that order, such as '$."brand"'; an unmapped field gets '$[0]', which selects
-- nothing in an object), $image_from_column (true: the image path is the image column's
-- value; false: it is $image_template with {id} replaced, or NULL when that is NULL),
-- $image_template, $tags_delimiter (NULL = a string is not a list), $metadata_keys and
-- $metadata_paths (column names and their JSON paths, same order; empty = no metadata).
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
        nullif(regexp_replace(v[1] ->> '$', '^\s+|\s+$', '', 'g'), '') AS product_id,
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
    shop,
    title,
    description,
    category,
    CASE
        WHEN $image_from_column THEN image_column
        WHEN product_id IS NOT NULL
            THEN replace(CAST($image_template AS VARCHAR), '{id}', product_id)
    END AS image_value,
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
