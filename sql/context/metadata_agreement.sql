-- context/metadata_agreement: how often a classifier's surest test predictions agree with a
-- structured attribute of the catalogue that the method never reads (products.metadata at
-- $path, e.g. base_colour or article_attributes.Pattern). The attribute's words are the
-- scope's vocabulary words that are a word of some scope product's value ('blue' of
-- 'Navy Blue'); a product agrees with a word when its value holds the word. Per word,
-- method and k in $ks: of the k test products with a value that the classifier scores
-- highest, the share that agree (precision), next to the share of all those test products
-- (base_rate: a random ranking's precision) and of those whose text has the word
-- (text_precision: how well the noisy label itself agrees).
-- Reads: products, scope_products, splits, vocabulary, word_products, predictions.
-- Writes: metadata_agreement (rows of model, scope and attribute replaced).
-- Parameters: $model_id, $scope, $attribute, $path, $ks (INTEGER[]), $run_id.

DELETE FROM metadata_agreement
WHERE model_id = $model_id AND scope = $scope AND attribute = $attribute;

INSERT INTO metadata_agreement
    (model_id, scope, method, attribute, path, word, k, n_ranked, n_agree, precision,
     base_rate, text_precision, n_text, run_id)
WITH valued AS (
    SELECT sp.product_id, s.split, value_words(metadata_value(p.metadata, $path)) AS value_words
    FROM scope_products AS sp
    JOIN products AS p ON p.product_id = sp.product_id
    LEFT JOIN splits AS s ON s.product_id = sp.product_id
    WHERE sp.scope = $scope AND len(value_words(metadata_value(p.metadata, $path))) > 0
),
attribute_words AS (
    SELECT v.word
    FROM vocabulary AS v
    WHERE v.scope = $scope
      AND EXISTS (SELECT 1 FROM valued AS x WHERE list_contains(x.value_words, v.word))
),
test_values AS (
    SELECT product_id, value_words FROM valued WHERE split = 'test'
),
base AS (
    SELECT w.word, avg(CAST(list_contains(t.value_words, w.word) AS DOUBLE)) AS base_rate
    FROM attribute_words AS w
    CROSS JOIN test_values AS t
    GROUP BY w.word
),
text_label AS (
    SELECT
        wp.word,
        count(*) AS n_text,
        avg(CAST(list_contains(t.value_words, wp.word) AS DOUBLE)) AS text_precision
    FROM word_products AS wp
    JOIN attribute_words AS w ON w.word = wp.word
    JOIN test_values AS t ON t.product_id = wp.product_id
    WHERE wp.scope = $scope
    GROUP BY wp.word
),
ranked AS (
    SELECT
        pr.method,
        pr.word,
        list_contains(t.value_words, pr.word) AS agree,
        row_number() OVER (
            PARTITION BY pr.method, pr.word ORDER BY pr.score DESC, pr.product_id
        ) AS score_rank
    FROM predictions AS pr
    JOIN attribute_words AS w ON w.word = pr.word
    JOIN test_values AS t ON t.product_id = pr.product_id
    WHERE pr.model_id = $model_id AND pr.scope = $scope
),
ks AS (
    SELECT DISTINCT CAST(unnest($ks) AS INTEGER) AS k
),
counted AS (
    SELECT
        r.method,
        r.word,
        k.k,
        count(*) FILTER (WHERE r.score_rank <= k.k) AS n_ranked,
        count(*) FILTER (WHERE r.score_rank <= k.k AND r.agree) AS n_agree
    FROM ranked AS r
    CROSS JOIN ks AS k
    GROUP BY r.method, r.word, k.k
)
SELECT
    $model_id,
    $scope,
    c.method,
    $attribute,
    $path,
    c.word,
    c.k,
    c.n_ranked,
    c.n_agree,
    c.n_agree / nullif(c.n_ranked, 0),
    b.base_rate,
    tl.text_precision,
    coalesce(tl.n_text, 0),
    $run_id
FROM counted AS c
JOIN base AS b ON b.word = c.word
LEFT JOIN text_label AS tl ON tl.word = c.word;

SELECT count(*) AS n_rows, count(DISTINCT word) AS n_words
FROM metadata_agreement
WHERE model_id = $model_id AND scope = $scope AND attribute = $attribute;
