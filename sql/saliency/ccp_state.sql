-- Which stages a CCP evaluation database has done: one row of row counts.
-- Reads: products, duplicate_groups, vocabulary, splits, unit_word_divergence, classifiers.
-- Writes: nothing. Parameters: $scope.
SELECT
    (SELECT count(*) FROM products) AS products,
    (SELECT count(*) FROM duplicate_groups) AS duplicate_groups,
    (SELECT count(*) FROM vocabulary WHERE scope = $scope) AS vocabulary,
    (SELECT count(*) FROM splits) AS splits,
    (SELECT count(*) FROM unit_word_divergence WHERE scope = $scope) AS divergence,
    (SELECT count(*) FROM classifiers WHERE scope = $scope AND method = 'resample') AS classifiers;
