-- Words to evaluate: the scope's most frequent vocabulary words of a kind that have a human
-- region ($labels) and a KL for the model, leaving out the excluded ones; at most $n_words,
-- most frequent first.
-- Reads: vocabulary, unit_word_divergence. Writes: nothing.
-- Parameters: $model_id, $scope, $kind, $labels (VARCHAR[]), $exclude (VARCHAR[]), $n_words.
SELECT v.word, v.n_products
FROM vocabulary AS v
WHERE v.scope = $scope
  AND v.kind = $kind
  AND list_contains($labels, v.word)
  AND NOT list_contains($exclude, v.word)
  AND EXISTS (
      SELECT 1 FROM unit_word_divergence AS d
      WHERE d.model_id = $model_id AND d.scope = v.scope AND d.word = v.word
  )
ORDER BY v.n_products DESC, v.word
LIMIT $n_words;
