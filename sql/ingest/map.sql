-- Map each staged row's JSON document onto the products fields.
-- Text fields lose surrounding white space; blank values become NULL. Tags come from a
-- JSON list (of scalars) or, when $tags_delimiter is set, from a delimited string.
-- Reads: ingest_input. Writes: temp table ingest_mapped.
-- Parameters: $id_path, $shop_path, $title_path, $description_path, $category_path,
-- $image_path, $tags_path (JSON paths such as '$."brand"'; NULL = field not mapped),
-- $image_template (e.g. '{id}.jpg', used when $image_path is NULL; NULL = none),
-- $tags_delimiter (NULL = a string is not a list), $metadata_keys and $metadata_paths
-- (column names and their JSON paths, same order; empty = no metadata).
CREATE OR REPLACE TEMP TABLE ingest_mapped AS
WITH fields AS (
    SELECT
        source_row,
        doc,
        raw,
        read_error,
        read_detail,
        json_type(doc, CAST($id_path AS VARCHAR)) AS id_type,
        nullif(trim(json_extract_string(doc, CAST($id_path AS VARCHAR)), ' ' || chr(9) || chr(10) || chr(13)), '') AS product_id,
        nullif(trim(json_extract_string(doc, CAST($shop_path AS VARCHAR)), ' ' || chr(9) || chr(10) || chr(13)), '') AS shop,
        nullif(trim(json_extract_string(doc, CAST($title_path AS VARCHAR)), ' ' || chr(9) || chr(10) || chr(13)), '') AS title,
        nullif(trim(json_extract_string(doc, CAST($description_path AS VARCHAR)), ' ' || chr(9) || chr(10) || chr(13)), '') AS description,
        nullif(trim(json_extract_string(doc, CAST($category_path AS VARCHAR)), ' ' || chr(9) || chr(10) || chr(13)), '') AS category,
        nullif(trim(json_extract_string(doc, CAST($image_path AS VARCHAR)), ' ' || chr(9) || chr(10) || chr(13)), '') AS image_column,
        json_type(doc, CAST($tags_path AS VARCHAR)) AS tags_type,
        json_extract(doc, CAST($tags_path AS VARCHAR)) AS tags_json,
        CASE WHEN doc IS NOT NULL AND len(CAST($metadata_keys AS VARCHAR[])) > 0 THEN
            to_json(map(CAST($metadata_keys AS VARCHAR[]),
                        json_extract(doc, CAST($metadata_paths AS VARCHAR[]))))
        END AS metadata
    FROM ingest_input
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
    doc,
    raw,
    read_error,
    read_detail,
    id_type,
    product_id,
    shop,
    title,
    description,
    category,
    CASE
        WHEN $image_path IS NOT NULL THEN image_column
        WHEN $image_template IS NOT NULL AND product_id IS NOT NULL
            THEN replace(CAST($image_template AS VARCHAR), '{id}', product_id)
    END AS image_value,
    nullif(
        [trim(t, ' ' || chr(9) || chr(10) || chr(13)) FOR t IN items
         IF trim(t, ' ' || chr(9) || chr(10) || chr(13)) <> ''],
        []
    ) AS tags,
    tags_type,
    coalesce(tags_type NOT IN ('NULL', 'ARRAY', 'VARCHAR')
             OR (tags_type = 'VARCHAR' AND $tags_delimiter IS NULL)
             OR list_has_any(element_types, ['OBJECT', 'ARRAY']), false) AS tags_error,
    metadata
FROM tag_items;
