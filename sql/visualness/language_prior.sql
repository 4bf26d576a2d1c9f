-- Language-prior baseline (Table 1's last row) from the catalogue's own text, standing in
-- for the paper's Google Books n-grams: the share of a word's occurrences that directly
-- modify a product noun, i.e. stand immediately before (same product, field and line,
-- position + 1) one of the scope's $n_nouns most frequent common nouns (by products).
-- Reads: tokens, scope_products, vocabulary.
-- Writes: language_prior_nouns, language_prior (for the scope), visualness rows with
--         method 'language_prior' (accuracy = score, n_train = occurrences,
--         n_test = modifying occurrences) for the run's words.
-- Parameters: $model_id, $scope, $words (VARCHAR[]), $n_nouns (INTEGER), $params (JSON
--             text), $run_id.

DELETE FROM language_prior_nouns WHERE scope = $scope;

INSERT INTO language_prior_nouns (scope, noun, n_products, rank)
SELECT $scope, word, n_products, rank
FROM (
    SELECT
        t.word,
        count(DISTINCT t.product_id) AS n_products,
        row_number() OVER (ORDER BY count(DISTINCT t.product_id) DESC, t.word) AS rank
    FROM tokens AS t
    JOIN scope_products AS sp ON sp.product_id = t.product_id AND sp.scope = $scope
    -- Common nouns only: Penn NN/NNS (proper nouns are mostly brand names here) or a
    -- Sudachi noun (名詞) for Japanese text.
    WHERE t.pos IN ('NN', 'NNS') OR t.pos LIKE '名詞%'
    GROUP BY t.word
)
WHERE rank <= $n_nouns;

DELETE FROM language_prior WHERE scope = $scope;

INSERT INTO language_prior (scope, word, n_occurrences, n_modifying, score)
WITH scoped_tokens AS (
    SELECT t.product_id, t.word, t.field, t.line_no, t.position
    FROM tokens AS t
    JOIN scope_products AS sp ON sp.product_id = t.product_id AND sp.scope = $scope
),
nouns AS (
    SELECT noun FROM language_prior_nouns WHERE scope = $scope
),
occurrences AS (
    SELECT o.word, o.product_id, o.field, o.line_no, o.position
    FROM scoped_tokens AS o
    JOIN vocabulary AS v ON v.word = o.word AND v.scope = $scope
),
followed AS (
    SELECT
        o.word,
        EXISTS (
            SELECT 1
            FROM scoped_tokens AS nxt
            JOIN nouns AS n ON n.noun = nxt.word
            WHERE nxt.product_id = o.product_id
              AND nxt.field = o.field
              AND nxt.line_no = o.line_no
              AND nxt.position = o.position + 1
              AND nxt.word <> o.word
        ) AS modifies
    FROM occurrences AS o
)
SELECT
    $scope,
    word,
    count(*) AS n_occurrences,
    count(*) FILTER (WHERE modifies) AS n_modifying,
    count(*) FILTER (WHERE modifies) / count(*) AS score
FROM followed
GROUP BY word;

DELETE FROM visualness
WHERE model_id = $model_id AND scope = $scope AND method = 'language_prior'
  AND list_contains($words, word);

INSERT INTO visualness
    (model_id, scope, word, method, accuracy, n_train, n_test, seed, n_units, params, run_id)
SELECT
    $model_id, $scope, v.word, 'language_prior', lp.score, coalesce(lp.n_occurrences, 0),
    coalesce(lp.n_modifying, 0), NULL, NULL, $params, $run_id
FROM vocabulary AS v
LEFT JOIN language_prior AS lp ON lp.scope = v.scope AND lp.word = v.word
WHERE v.scope = $scope AND list_contains($words, v.word);
