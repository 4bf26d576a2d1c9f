-- explorer/unit_top_images: the images that activate a unit most, with the activation.
-- Reads: explorer_unit_activations, products. Writes: nothing.
-- Parameters: $model_id, $unit_id, $n.
SELECT a.product_id, a.value, p.title
FROM explorer_unit_activations AS a
LEFT JOIN products AS p ON p.product_id = a.product_id
WHERE a.model_id = $model_id AND a.unit_id = $unit_id
ORDER BY a.value DESC, a.product_id
LIMIT $n;
