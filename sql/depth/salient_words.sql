-- depth/salient_words: the $n words of largest relative magnitude in each layer (paper
-- Table 3), ties by word: the chance-corrected relative_z when divergence measured a null
-- (rare words and layers of many units no longer win by chance), else the paper's relative.
-- Within a layer this is also the order of the magnitude divided by M_l.
-- Reads: layer_depth. Writes: nothing. Parameters: $model_id, $scope, $n.
SELECT layer, layer_index, word, coalesce(relative_z, relative) AS relative, max_kl
FROM layer_depth
WHERE model_id = $model_id AND scope = $scope
QUALIFY row_number() OVER (
    PARTITION BY layer_index ORDER BY coalesce(relative_z, relative) DESC, word
) <= $n
ORDER BY layer_index, coalesce(relative_z, relative) DESC, word;
