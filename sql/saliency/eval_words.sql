-- Words to evaluate: the scope's most frequent vocabulary words of a kind that have a human
-- region ($labels) and a KL for the model (and, when $need_classifier, a trained classifier
-- of $classifier_method for the gradient baseline), leaving out the excluded ones; at most
-- $n_words, most frequent first.
-- Reads: vocabulary, unit_word_divergence, classifiers. Writes: nothing.
-- Parameters: $model_id, $scope, $kind, $labels (VARCHAR[]), $exclude (VARCHAR[]),
-- $need_classifier (BOOLEAN), $classifier_method, $n_words.
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
  AND (
      NOT $need_classifier
      OR EXISTS (
          SELECT 1 FROM classifiers AS c
          WHERE c.model_id = $model_id AND c.scope = v.scope AND c.word = v.word
            AND c.method = $classifier_method
      )
  )
ORDER BY v.n_products DESC, v.word
LIMIT $n_words;
