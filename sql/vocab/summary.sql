-- Size of a scope's vocabulary and universe.
-- Reads: vocabulary, word_products, scope_products. Writes: nothing. Parameters: $scope.
SELECT
    (SELECT count(*) FROM scope_products WHERE scope = $scope) AS n_scope_products,
    (SELECT count(*) FROM vocabulary WHERE scope = $scope) AS n_words,
    (SELECT count(*) FROM word_products WHERE scope = $scope) AS n_word_products;
