-- phrases/candidates: two-word phrase candidates of a scope (adjective-noun and noun-noun
-- bigrams within a sentence), with their frequency and association. Pairs are adjacent
-- tokens of one line or sentence (tokens keep line_no and position; punctuation is a token,
-- so nothing pairs across a comma); a hyphen between two words is skipped, so 'v-neck' and
-- 'v neck' are one phrase, and no pair crosses the edge of a hyphenated compound ('neck t'
-- in 'round neck t-shirt'). Association over all adjacent pairs of the scope's text, for
-- the 2x2 table (first word on the left) x (second word on the right): PMI = ln(n12 N /
-- (n1 n2)) and Dunning's log-likelihood ratio G^2 (macro llr_term). A candidate needs both
-- words wordlike and never a word of the listing's shop name, n_kind >= $min_count products
-- holding it with the adjective/noun + noun tags, PMI > 0 and G^2 >= $min_llr (10.83:
-- p < 0.001 for one degree of freedom); candidates rank by n_kind, then G^2.
-- Reads: tokens, scope_products, products, boilerplate_product_lines.
-- Writes: phrase_candidates (the scope's rows replaced); temp table phrase_occurrence
--         (phrase, product_id, of_kind) of the candidates.
-- Parameters: $scope, $min_count, $min_llr.

CREATE OR REPLACE TEMP TABLE phrase_tokens AS
SELECT
    t.product_id, t.field, t.line_no, t.position, t.word, t.pos,
    coalesce(list_contains(value_words(p.shop), t.word), false) AS shop_word
FROM tokens AS t
JOIN scope_products AS s ON s.product_id = t.product_id AND s.scope = $scope
JOIN products AS p ON p.product_id = t.product_id
WHERE t.field IN ('title', 'description')
  AND NOT EXISTS (
      SELECT 1 FROM boilerplate_product_lines AS b
      WHERE b.scope = $scope AND b.excluded AND b.product_id = t.product_id
        AND b.field = t.field AND b.line_no = t.line_no
  );

CREATE OR REPLACE TEMP TABLE phrase_pairs AS
SELECT a.product_id, a.word AS first, b.word AS second,
       is_phrase_head(a.pos) AND is_phrase_noun(b.pos) AS of_kind,
       a.shop_word OR b.shop_word AS shop_word
FROM phrase_tokens AS a
JOIN phrase_tokens AS b
    ON b.product_id = a.product_id AND b.field = a.field AND b.line_no = a.line_no
   AND b.position = a.position + 1
WHERE b.pos <> 'HYPH' AND a.pos <> 'HYPH'
  -- Not across a hyphenated compound's edge: in 'round neck t-shirt', 'neck t' is no pair.
  AND NOT EXISTS (
      SELECT 1 FROM phrase_tokens AS x
      WHERE x.product_id = a.product_id AND x.field = a.field AND x.line_no = a.line_no
        AND x.pos = 'HYPH' AND (x.position = b.position + 1 OR x.position = a.position - 1)
  )
UNION ALL
SELECT a.product_id, a.word, b.word, is_phrase_head(a.pos) AND is_phrase_noun(b.pos),
       a.shop_word OR b.shop_word
FROM phrase_tokens AS a
JOIN phrase_tokens AS h
    ON h.product_id = a.product_id AND h.field = a.field AND h.line_no = a.line_no
   AND h.position = a.position + 1 AND h.pos = 'HYPH'
JOIN phrase_tokens AS b
    ON b.product_id = a.product_id AND b.field = a.field AND b.line_no = a.line_no
   AND b.position = a.position + 2;

DELETE FROM phrase_candidates WHERE scope = $scope;

INSERT INTO phrase_candidates (scope, phrase, first, second, n_occurrences, n_products,
                               n_kind, pmi, llr, rank)
WITH total AS (
    SELECT count(*)::DOUBLE AS n FROM phrase_pairs
),
lefts AS (
    SELECT first, count(*) AS n1 FROM phrase_pairs GROUP BY first
),
rights AS (
    SELECT second, count(*) AS n2 FROM phrase_pairs GROUP BY second
),
pairs AS (
    SELECT
        first,
        second,
        count(*) AS n12,
        count(DISTINCT product_id) AS n_products,
        count(DISTINCT product_id) FILTER (WHERE of_kind) AS n_kind
    FROM phrase_pairs
    WHERE is_wordlike(first) AND is_wordlike(second)
    GROUP BY first, second
    -- A word of the listing's shop name (titles start with the brand) names no attribute.
    HAVING NOT bool_or(shop_word)
),
scored AS (
    SELECT
        p.first,
        p.second,
        p.n12,
        p.n_products,
        p.n_kind,
        ln(p.n12 * t.n / (l.n1 * r.n2)) AS pmi,
        2.0 * (
            llr_term(p.n12, l.n1 * r.n2 / t.n)
            + llr_term(l.n1 - p.n12, l.n1 * (t.n - r.n2) / t.n)
            + llr_term(r.n2 - p.n12, (t.n - l.n1) * r.n2 / t.n)
            + llr_term(t.n - l.n1 - r.n2 + p.n12, (t.n - l.n1) * (t.n - r.n2) / t.n)
        ) AS llr
    FROM pairs AS p
    CROSS JOIN total AS t
    JOIN lefts AS l ON l.first = p.first
    JOIN rights AS r ON r.second = p.second
    WHERE p.n_kind >= $min_count
)
SELECT
    $scope,
    first || ' ' || second,
    first,
    second,
    n12,
    n_products,
    n_kind,
    pmi,
    llr,
    CAST(row_number() OVER (ORDER BY n_kind DESC, llr DESC, first, second) AS INTEGER)
FROM scored
WHERE pmi > 0 AND llr >= $min_llr;

CREATE OR REPLACE TEMP TABLE phrase_occurrence AS
SELECT c.phrase, p.product_id, bool_or(p.of_kind) AS of_kind
FROM phrase_pairs AS p
JOIN phrase_candidates AS c
    ON c.scope = $scope AND c.first = p.first AND c.second = p.second
GROUP BY c.phrase, p.product_id;

DROP TABLE phrase_tokens;
DROP TABLE phrase_pairs;
