-- phrases/vocabulary: add the scope's top $top_n phrase candidates to its vocabulary with
-- kind 'phrase', ranked after its words, and their positives to word_products (a product
-- holds a phrase when its title or description has the two words adjacent in one sentence,
-- whatever their tags, as a product holds a word whatever its tag), so every later stage
-- treats a phrase exactly like a word. A phrase already in the vocabulary as a word (never:
-- words have no spaces) or excluded (vocab_exclude) is left out.
-- Reads: phrase_candidates, phrase_occurrence, vocabulary, vocab_exclude.
-- Writes: vocabulary, word_products (phrase rows added); phrase_candidates.selected.
-- Parameters: $scope, $top_n.

UPDATE phrase_candidates SET selected = false WHERE scope = $scope;

UPDATE phrase_candidates SET selected = true
WHERE scope = $scope
  AND phrase IN (
      SELECT phrase FROM phrase_candidates
      WHERE scope = $scope AND phrase NOT IN (SELECT word FROM vocab_exclude)
      ORDER BY rank
      LIMIT $top_n
  );

INSERT INTO vocabulary (scope, word, n_products, n_kind, rank, kind)
SELECT
    $scope,
    c.phrase,
    c.n_products,
    c.n_kind,
    CAST((SELECT coalesce(max(rank), 0) FROM vocabulary WHERE scope = $scope)
         + row_number() OVER (ORDER BY c.rank) AS INTEGER),
    'phrase'
FROM phrase_candidates AS c
WHERE c.scope = $scope AND c.selected
  AND c.phrase NOT IN (SELECT word FROM vocabulary WHERE scope = $scope);

INSERT INTO word_products (scope, word, product_id)
SELECT $scope, o.phrase, o.product_id
FROM phrase_occurrence AS o
JOIN phrase_candidates AS c ON c.scope = $scope AND c.phrase = o.phrase AND c.selected;

DROP TABLE phrase_occurrence;
