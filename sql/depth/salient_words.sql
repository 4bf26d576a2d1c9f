-- depth/salient_words: the $n words of largest relative magnitude S_l(u) in each layer (paper
-- Table 3), ties by word. Within a layer this is also the order of S_l(u) / M_l.
-- Reads: layer_depth. Writes: nothing. Parameters: $model_id, $scope, $n.
SELECT layer, layer_index, word, relative, max_kl
FROM layer_depth
WHERE model_id = $model_id AND scope = $scope
QUALIFY row_number() OVER (PARTITION BY layer_index ORDER BY relative DESC, word) <= $n
ORDER BY layer_index, relative DESC, word;
