-- context/metadata_agreement: how often a classifier's surest test predictions agree with a
-- structured attribute of the catalogue that the method never reads (products.metadata at
-- $path, e.g. base_colour or article_attributes.Pattern). The attribute's words and the
-- values each names come from metadata_word_values (attrdb/context/metadata_check.py: value
-- words, stems, a user mapping); a product agrees with a word when its value is one the
-- word names ('blue' names 'Navy Blue', 'striped' names 'Stripes'). Per word,
-- method and k in $ks: of the k test products with a value that the classifier scores
-- highest, the share that agree (precision), next to the share of all those test products
-- (base_rate: a random ranking's precision) and of those whose text has the word
-- (text_precision: how well the noisy label itself agrees), and to what the ranked
-- products' categories alone explain (category_rate: the mean over the ranked products of
-- the share of agreeing test products in the product's category, $match_field; a product
-- without one: its title-named type, product_types).
-- Reads: products, product_types, scope_products, splits, word_products, predictions,
--        metadata_word_values (registered Arrow: word, value).
-- Writes: metadata_agreement (rows of model, scope and attribute replaced).
-- Parameters: $model_id, $scope, $attribute, $path, $match_field, $ks (INTEGER[]), $run_id.

DELETE FROM metadata_agreement
WHERE model_id = $model_id AND scope = $scope AND attribute = $attribute;

INSERT INTO metadata_agreement
    (model_id, scope, method, attribute, path, word, k, n_ranked, n_agree, precision,
     base_rate, category_rate, text_precision, n_text, run_id)
WITH test_values AS (
    SELECT
        sp.product_id,
        trim(metadata_value(p.metadata, $path)) AS value,
        coalesce(scope_field_value(
            $match_field, coalesce(p.category, pt.product_type), p.metadata
        ), '') AS category
    FROM scope_products AS sp
    JOIN products AS p ON p.product_id = sp.product_id
    LEFT JOIN product_types AS pt ON pt.product_id = sp.product_id
    JOIN splits AS s ON s.product_id = sp.product_id AND s.split = 'test'
    WHERE sp.scope = $scope AND trim(metadata_value(p.metadata, $path)) <> ''
),
attribute_words AS (
    SELECT DISTINCT word FROM metadata_word_values
),
agreement AS (
    -- Every (attribute word, test product with a value) pair and whether they agree.
    SELECT
        w.word,
        t.product_id,
        t.category,
        EXISTS (
            SELECT 1 FROM metadata_word_values AS m WHERE m.word = w.word AND m.value = t.value
        ) AS agree
    FROM attribute_words AS w
    CROSS JOIN test_values AS t
),
category_rates AS (
    SELECT word, category, avg(CAST(agree AS DOUBLE)) AS rate
    FROM agreement
    GROUP BY word, category
),
base AS (
    SELECT word, avg(CAST(agree AS DOUBLE)) AS base_rate FROM agreement GROUP BY word
),
text_label AS (
    SELECT a.word, count(*) AS n_text, avg(CAST(a.agree AS DOUBLE)) AS text_precision
    FROM word_products AS wp
    JOIN agreement AS a ON a.word = wp.word AND a.product_id = wp.product_id
    WHERE wp.scope = $scope
    GROUP BY a.word
),
ranked AS (
    SELECT
        pr.method,
        pr.word,
        a.agree,
        cr.rate AS category_rate,
        row_number() OVER (
            PARTITION BY pr.method, pr.word ORDER BY pr.score DESC, pr.product_id
        ) AS score_rank
    FROM predictions AS pr
    JOIN agreement AS a ON a.word = pr.word AND a.product_id = pr.product_id
    JOIN category_rates AS cr ON cr.word = pr.word AND cr.category = a.category
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
