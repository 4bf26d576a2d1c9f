-- Candidate attribute words of a scope and their positive sets (D+).
-- Reads: tokens, scope_products, boilerplate_product_lines, vocab_exclude (registered
-- Arrow: word).
-- Writes: vocabulary, word_products (the scope's rows replaced); temp table
-- vocab_dropped_location_words.
-- Parameters: $scope, $kind ('adjective' | 'tag' | 'all'), $top_n, $min_count,
-- $drop_location_words (leave out is_location_word words: the scope's location_words).
--
-- Fields per kind: adjective = title + description, tag = tags, all = all three. A product
-- holds a word when the word occurs in those fields with any POS (D+ must not miss titles
-- where spaCy tags a capitalised colour NNP); the kind decides which words are candidates
-- and their rank: n_kind = products holding the word as the kind (for adjectives: tagged
-- JJ/JJR/JJS or Sudachi 形容詞/形状詞). Words must be letters joined by connectors
-- (is_wordlike: no digits, no symbols), reach n_kind >= $min_count, and not be excluded
-- (vocab_exclude, or a location word when the scope drops them);
-- ties rank by n_products, then word.
--
-- vocab_occurrence holds one row per (candidate, product) with of_kind; every candidate
-- source is one CTE with those columns, combined by UNION ALL in its final SELECT, so a
-- further source (multi-word phrases) is one more branch, and counting, ranking and D+ below
-- treat all sources alike.
CREATE OR REPLACE TEMP TABLE vocab_occurrence AS
WITH word_candidates AS (
    SELECT
        t.word,
        t.product_id,
        bool_or(
            CASE WHEN $kind = 'adjective' THEN coalesce(is_adjective(t.pos), false) ELSE true END
        ) AS of_kind
    FROM tokens AS t
    JOIN scope_products AS s ON s.product_id = t.product_id AND s.scope = $scope
    WHERE CASE $kind
            WHEN 'adjective' THEN t.field IN ('title', 'description')
            WHEN 'tag' THEN t.field = 'tag'
            ELSE t.field IN ('title', 'description', 'tag')
          END
      AND is_wordlike(t.word)
      -- Boilerplate lines the scope drops (sql/context/boilerplate.sql) hold no candidate.
      AND NOT EXISTS (
          SELECT 1 FROM boilerplate_product_lines AS b
          WHERE b.scope = $scope AND b.excluded AND b.product_id = t.product_id
            AND b.field = t.field AND b.line_no = t.line_no
      )
    GROUP BY t.word, t.product_id
)
SELECT word, product_id, of_kind FROM word_candidates;

DELETE FROM vocabulary WHERE scope = $scope;

INSERT INTO vocabulary (scope, word, n_products, n_kind, rank, kind)
WITH counts AS (
    SELECT word, count(*) AS n_products, count(*) FILTER (WHERE of_kind) AS n_kind
    FROM vocab_occurrence
    WHERE word NOT IN (SELECT word FROM vocab_exclude)
      AND NOT ($drop_location_words AND is_location_word(word))
    GROUP BY word
),
ranked AS (
    SELECT *, row_number() OVER (ORDER BY n_kind DESC, n_products DESC, word) AS rank
    FROM counts
    WHERE n_kind >= $min_count
)
SELECT $scope, word, n_products, n_kind, rank, $kind
FROM ranked
WHERE rank <= $top_n;

DELETE FROM word_products WHERE scope = $scope;

INSERT INTO word_products (scope, word, product_id)
SELECT v.scope, o.word, o.product_id
FROM vocab_occurrence AS o
JOIN vocabulary AS v ON v.word = o.word AND v.scope = $scope;

-- Location words the scope left out that would otherwise have been candidates, for the run
-- summary (sql/vocab/dropped_location_words.sql).
CREATE OR REPLACE TEMP TABLE vocab_dropped_location_words AS
SELECT word, count(*) FILTER (WHERE of_kind) AS n_kind
FROM vocab_occurrence
WHERE $drop_location_words AND is_location_word(word)
GROUP BY word
HAVING count(*) FILTER (WHERE of_kind) >= $min_count;

DROP TABLE vocab_occurrence;
