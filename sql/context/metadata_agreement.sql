-- context/metadata_agreement: how often a classifier's surest test predictions agree with a
-- structured attribute of the catalogue that the method never reads (products.metadata at
-- $path, e.g. base_colour or article_attributes.Pattern). The attribute's words are the
-- scope's vocabulary words that are a word of some scope product's value ('blue' of
-- 'Navy Blue'); a product agrees with a word when its value holds the word. Per word,
-- method and k in $ks: of the k test products with a value that the classifier scores
-- highest, the share that agree (precision), next to the share of all those test products
-- (base_rate: a random ranking's precision) and of those whose text has the word
-- (text_precision: how well the noisy label itself agrees), and to what the ranked
-- products' categories alone explain (category_rate: the mean over the ranked products of
-- the share of agreeing test products in the product's category, $match_field).
-- Reads: products, scope_products, splits, vocabulary, word_products, predictions.
-- Writes: metadata_agreement (rows of model, scope and attribute replaced).
-- Parameters: $model_id, $scope, $attribute, $path, $match_field, $ks (INTEGER[]), $run_id.

DELETE FROM metadata_agreement
WHERE model_id = $model_id AND scope = $scope AND attribute = $attribute;

INSERT INTO metadata_agreement
    (model_id, scope, method, attribute, path, word, k, n_ranked, n_agree, precision,
     base_rate, category_rate, text_precision, n_text, run_id)
WITH valued AS (
    SELECT
        sp.product_id,
        s.split,
        value_words(metadata_value(p.metadata, $path)) AS value_words,
        coalesce(scope_field_value($match_field, p.category, p.metadata), '') AS category
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
    SELECT product_id, value_words, category FROM valued WHERE split = 'test'
),
category_rates AS (
    SELECT
        w.word,
        t.category,
        avg(CAST(list_contains(t.value_words, w.word) AS DOUBLE)) AS rate
    FROM attribute_words AS w
    CROSS JOIN test_values AS t
    GROUP BY w.word, t.category
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
        cr.rate AS category_rate,
        row_number() OVER (
            PARTITION BY pr.method, pr.word ORDER BY pr.score DESC, pr.product_id
        ) AS score_rank
    FROM predictions AS pr
    JOIN attribute_words AS w ON w.word = pr.word
    JOIN test_values AS t ON t.product_id = pr.product_id
    JOIN category_rates AS cr ON cr.word = pr.word AND cr.category = t.category
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
        count(*) FILTER (WHERE r.score_rank <= k.k AND r.agree) AS n_agree,
        avg(r.category_rate) FILTER (WHERE r.score_rank <= k.k) AS category_rate
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
    c.category_rate,
    tl.text_precision,
    coalesce(tl.n_text, 0),
    $run_id
FROM counted AS c
JOIN base AS b ON b.word = c.word
LEFT JOIN text_label AS tl ON tl.word = c.word;

SELECT count(*) AS n_rows, count(DISTINCT word) AS n_words
FROM metadata_agreement
WHERE model_id = $model_id AND scope = $scope AND attribute = $attribute;
