-- report/metadata_columns: what the metadata check compared: per attribute, the catalogue
-- column (products.metadata key, 'key.subkey' into nested JSON) and the vocabulary words
-- it mapped to that column's values (a product agrees with a word when its value holds the
-- word: 'blue' in 'Navy Blue').
-- Reads: metadata_agreement. Writes: nothing. Parameters: $model_id, $scope.
SELECT attribute, path,
    count(DISTINCT word) AS n_words,
    string_agg(DISTINCT word, ', ' ORDER BY word) AS words
FROM metadata_agreement
WHERE model_id = $model_id AND scope = $scope
GROUP BY attribute, path
ORDER BY attribute;
