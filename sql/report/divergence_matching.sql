-- report/divergence_matching: how the newest finished divergence run of the model and scope
-- drew its negatives: 'category_matched' with what it matched the products on (their
-- category, their title's product type, neither; attrdb/context/matched.py), or 'random'.
-- Reads: runs. Writes: nothing. Parameters: $model_id, $scope.
SELECT
    json_extract_string(params, '$.scope_definition.negatives') AS negatives,
    json_extract_string(params, '$.scope_definition.match_field') AS match_field,
    CAST(json_extract(params, '$.scope_definition.match_shop') AS BOOLEAN) AS match_shop,
    CAST(json_extract(summary, '$.category_matched.n_categories') AS BIGINT) AS n_categories,
    CAST(json_extract(summary, '$.category_matched.n_products_by_category') AS BIGINT)
        AS n_by_category,
    CAST(json_extract(summary, '$.category_matched.n_products_by_title_type') AS BIGINT)
        AS n_by_title_type,
    CAST(json_extract(summary, '$.category_matched.n_products_unmatched') AS BIGINT)
        AS n_unmatched
FROM runs
WHERE stage = 'divergence' AND scope = $scope AND status = 'ok'
  AND json_extract_string(params, '$.model_id') = $model_id
ORDER BY run_id DESC
LIMIT 1;
