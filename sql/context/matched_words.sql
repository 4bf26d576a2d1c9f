-- context/matched_words: category-matched negatives for the divergence stage. Numbers the
-- categories of the divergence universe (scope_stratum: the scope's $match_field value, and
-- the shop with $match_shop; NULL is a category of
-- its own), counts every word's positives per category, and keeps the categories that also
-- have negatives: positives in a category where every universe product has the word cannot
-- be matched and are left out (n_pos_unmatched). A word keeps its KL when its matched
-- positives and the negatives of its matched categories reach the run's minimums. The
-- weight of category c for word w is pi+(c) / n-(c), pi+(c) = the share of w's matched
-- positives in c, n-(c) = w's negatives in c: the negatives' histogram becomes
-- P-(b) = sum_c weight(c) * count of c's negatives in bin b (sql/context/matched_kl.sql).
-- With $negative_prior = a > 0 (strata on category and shop), a stratum's negative histogram
-- is shrunk towards its group's (the same $match_field value in every shop), as with a
-- pseudo-count prior: P-(b) = sum_c pi+(c) * (hist_{-,c}(b) + a * q_g(b)) / (n-(c) + a),
-- q_g = the distribution of the word's negatives in the stratum's group g. A stratum with
-- a handful of negatives then no longer decides the word's P- alone. Expanded:
-- P-(b) = sum_c pi+(c) / (n-(c) + a) * hist_{-,c}(b) + sum_g lambda(g) / n-(g) * hist_{-,g}(b),
-- lambda(g) = sum_{c in g} pi+(c) * a / (n-(c) + a), n-(g) = the word's negatives in g: the
-- stratum weights shrink and each group gets a weight (context_group_weights); P- still
-- sums to 1. Strata equal to their groups (no shop matching) leave P- unchanged.
-- A product without a category is matched on its title-named type (product_types).
-- Reads: divergence_universe, divergence_positives, divergence_words (temp tables of the
--        divergence stage), products, product_types.
-- Writes: temp tables context_universe(pidx, cidx, gidx), context_word_totals(word, widx,
--         n_pos, n_pos_unmatched, n_neg, n_categories, kept),
--         context_weights(widx, cidx, weight), context_group_weights(widx, gidx, weight);
--         matched_coverage (rows of model and scope replaced). Returns (n_kept, n_words).
-- Parameters: $model_id, $scope, $match_field, $match_shop, $min_positives, $min_negatives,
--             $negative_prior (a >= 0).

CREATE OR REPLACE TEMP TABLE context_universe AS
SELECT
    u.pidx,
    CAST(dense_rank() OVER (
        ORDER BY scope_stratum(
            $match_field, $match_shop, coalesce(p.category, pt.product_type), p.metadata,
            p.shop)
            NULLS FIRST
    ) AS INTEGER) AS cidx,
    CAST(dense_rank() OVER (
        ORDER BY scope_stratum(
            $match_field, false, coalesce(p.category, pt.product_type), p.metadata, p.shop)
            NULLS FIRST
    ) AS INTEGER) AS gidx
FROM divergence_universe AS u
JOIN products AS p ON p.product_id = u.product_id
LEFT JOIN product_types AS pt ON pt.product_id = u.product_id;

CREATE OR REPLACE TEMP TABLE context_word_categories AS
WITH sizes AS (
    SELECT cidx, count(*) AS n FROM context_universe GROUP BY cidx
),
positives AS (
    SELECT p.word, c.cidx, count(*) AS n_pos
    FROM divergence_positives AS p
    JOIN context_universe AS c ON c.pidx = p.pidx
    GROUP BY p.word, c.cidx
)
SELECT p.word, p.cidx, p.n_pos, s.n - p.n_pos AS n_neg
FROM positives AS p
JOIN sizes AS s ON s.cidx = p.cidx;

CREATE OR REPLACE TEMP TABLE context_word_totals AS
WITH totals AS (
    SELECT
        word,
        coalesce(sum(n_pos) FILTER (WHERE n_neg > 0), 0) AS n_pos,
        coalesce(sum(n_pos) FILTER (WHERE n_neg = 0), 0) AS n_pos_unmatched,
        coalesce(sum(n_neg) FILTER (WHERE n_neg > 0), 0) AS n_neg,
        count(*) FILTER (WHERE n_neg > 0) AS n_categories
    FROM context_word_categories
    GROUP BY word
)
SELECT
    t.word,
    w.widx,
    t.n_pos,
    t.n_pos_unmatched,
    t.n_neg,
    t.n_categories,
    w.widx IS NOT NULL AND t.n_pos >= $min_positives AND t.n_neg >= $min_negatives AS kept
FROM totals AS t
LEFT JOIN divergence_words AS w ON w.word = t.word;

CREATE OR REPLACE TEMP TABLE context_weights AS
SELECT t.widx, c.cidx, (c.n_pos / t.n_pos) / (c.n_neg + $negative_prior) AS weight
FROM context_word_categories AS c
JOIN context_word_totals AS t ON t.word = c.word
WHERE t.kept AND c.n_neg > 0;

CREATE OR REPLACE TEMP TABLE context_group_weights AS
WITH groups AS (
    SELECT gidx, count(*) AS n FROM context_universe GROUP BY gidx
),
stratum_groups AS (
    SELECT DISTINCT cidx, gidx FROM context_universe
)
SELECT
    t.widx,
    s.gidx,
    sum(CASE WHEN c.n_neg > 0 THEN c.n_pos / t.n_pos * $negative_prior / (c.n_neg + $negative_prior)
        ELSE 0 END) / (any_value(g.n) - sum(c.n_pos)) AS weight
FROM context_word_categories AS c
JOIN context_word_totals AS t ON t.word = c.word
JOIN stratum_groups AS s ON s.cidx = c.cidx
JOIN groups AS g ON g.gidx = s.gidx
WHERE t.kept AND $negative_prior > 0
GROUP BY t.widx, s.gidx
HAVING bool_or(c.n_neg > 0);

DELETE FROM matched_coverage WHERE model_id = $model_id AND scope = $scope;

INSERT INTO matched_coverage
    (model_id, scope, word, n_pos, n_pos_unmatched, n_neg, n_categories, kept)
SELECT $model_id, $scope, word, n_pos, n_pos_unmatched, n_neg, n_categories, kept
FROM context_word_totals
WHERE NOT starts_with(word, chr(31));

SELECT count(*) FILTER (WHERE kept) AS n_kept, count(*) AS n_words
FROM context_word_totals
WHERE NOT starts_with(word, chr(31));
