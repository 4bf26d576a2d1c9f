-- compare/ceiling_scope: fill the supervised-ceiling scope of a scope and metadata field:
-- the same products, and for each attribute word a D+ of the products whose field value
-- is the word's (the label the text only approximates), so the visualness stage, run on
-- it unchanged, trains the same classifiers on the field itself. The scope's row in
-- scopes is written by attrdb.compare (the source scope's definition).
-- Reads: scope_products, products. Writes: scope_products, vocabulary, word_products
--   (rows of $ceiling replaced).
-- Parameters: $scope (source), $ceiling (the ceiling scope), $path (metadata key),
--   $words, $values (VARCHAR[], aligned: word i names value i).
DELETE FROM word_products WHERE scope = $ceiling;

DELETE FROM vocabulary WHERE scope = $ceiling;

DELETE FROM scope_products WHERE scope = $ceiling;

INSERT INTO scope_products (scope, product_id)
SELECT $ceiling, product_id FROM scope_products WHERE scope = $scope;

INSERT INTO word_products (scope, word, product_id)
SELECT $ceiling, w.word, sp.product_id
FROM scope_products AS sp
JOIN products AS p ON p.product_id = sp.product_id
JOIN (SELECT unnest($words) AS word, unnest($values) AS value) AS w
    ON trim(metadata_value(p.metadata, $path)) = w.value
WHERE sp.scope = $ceiling;

INSERT INTO vocabulary (scope, word, n_products, n_kind, rank, kind)
SELECT
    $ceiling,
    word,
    count(*),
    count(*),
    CAST(rank() OVER (ORDER BY count(*) DESC, word) AS INTEGER),
    'metadata'
FROM word_products
WHERE scope = $ceiling
GROUP BY word;
