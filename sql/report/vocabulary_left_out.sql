-- report/vocabulary_left_out: the words the newest finished vocab run of the scope left out
-- as location words (scope definition location_words = 'drop'; sql/macros/text.sql
-- is_location_word), most products first, and the setting it ran with.
-- Reads: runs. Writes: nothing. Parameters: $scope.
SELECT
    coalesce(json_extract_string(params, '$.scope_definition.location_words'), 'keep')
        AS location_words,
    coalesce(CAST(json_extract(summary, '$.location_words_dropped') AS VARCHAR[]), [])
        AS dropped
FROM runs
WHERE stage = 'vocab' AND scope = $scope AND status = 'ok'
ORDER BY run_id DESC
LIMIT 1;
