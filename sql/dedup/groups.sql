-- Near-duplicate groups per shop: single linkage over cosine distance < $threshold.
-- Reads: dedup_bag (sql/dedup/bags.sql), products. Writes: duplicate_groups (replaced).
-- Parameters: $threshold (cosine distance, e.g. 0.1), $seed (VARCHAR, picks the kept one).
--
-- The same partition as scikit-learn's AgglomerativeClustering(metric='cosine',
-- linkage='single', distance_threshold=$threshold) per shop, computed without a cross
-- product: (1) products with identical bags collapse to one representative (distance 0);
-- (2) candidate pairs must share a word in both prefixes (prefix filtering): words are
-- ordered by global rarity and a vector's prefix is every word from which the remaining
-- suffix still has L2 weight >= t = 1 - $threshold; two unit vectors with cosine >= t
-- share a word in both prefixes (Cauchy-Schwarz on the suffix of whichever prefix ends
-- first in the shared order); (3) candidates get their exact cosine; (4) connected
-- components by min-label propagation (WITH RECURSIVE ... USING KEY).

-- (1) Identical bags (same words, same counts) in a shop share the smallest product_id.
CREATE OR REPLACE TEMP TABLE dedup_rep AS
WITH signatures AS (
    SELECT product_id, shop_key, list(word ORDER BY word) AS words, list(n ORDER BY word) AS counts
    FROM dedup_bag
    GROUP BY product_id, shop_key
)
SELECT product_id, shop_key, min(product_id) OVER (PARTITION BY shop_key, words, counts) AS rep
FROM signatures;

-- Representatives' vectors: raw counts n, their squared norm, the unit weight w = n/|n|,
-- and each word's global rarity (document frequency over representatives).
CREATE OR REPLACE TEMP TABLE dedup_vec AS
WITH rep_bag AS (
    SELECT b.product_id AS rep, b.shop_key, b.word, b.n
    FROM dedup_bag AS b
    JOIN dedup_rep AS r ON r.product_id = b.product_id AND r.rep = b.product_id
),
normed AS (
    SELECT *, sum(n * n) OVER (PARTITION BY rep) AS norm_sq
    FROM rep_bag
)
SELECT
    rep,
    shop_key,
    word,
    n,
    norm_sq,
    n / sqrt(norm_sq) AS w,
    count(*) OVER (PARTITION BY word) AS df
FROM normed;

-- (2) Prefixes. The 1e-9 slack only lengthens prefixes (more candidates, never fewer).
CREATE OR REPLACE TEMP TABLE dedup_prefix AS
SELECT rep, shop_key, word
FROM (
    SELECT
        rep, shop_key, word,
        sum(w * w) OVER (
            PARTITION BY rep ORDER BY df, word
            ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING
        ) AS suffix_sq
    FROM dedup_vec
)
WHERE suffix_sq >= power(greatest(1 - $threshold - 1e-9, 0), 2);

CREATE OR REPLACE TEMP TABLE dedup_candidates AS
SELECT DISTINCT a.rep AS rep_a, b.rep AS rep_b
FROM dedup_prefix AS a
JOIN dedup_prefix AS b
  ON a.shop_key = b.shop_key AND a.word = b.word AND a.rep < b.rep;

-- (3) Exact cosine distance of every candidate pair, computed as scipy's pdist does
-- (1 - dot / (sqrt(|a|^2) * sqrt(|b|^2)) on integer counts, so dot and the squared norms
-- are exact and the result is bit-identical, ties at the threshold included); keep the
-- close pairs, in both directions.
CREATE OR REPLACE TEMP TABLE dedup_edges AS
WITH close_pairs AS (
    SELECT c.rep_a, c.rep_b
    FROM dedup_candidates AS c
    JOIN dedup_vec AS x ON x.rep = c.rep_a
    JOIN dedup_vec AS y ON y.rep = c.rep_b AND y.word = x.word
    GROUP BY c.rep_a, c.rep_b, x.norm_sq, y.norm_sq
    HAVING 1 - sum(x.n * y.n) / (sqrt(x.norm_sq) * sqrt(y.norm_sq)) < $threshold
)
SELECT rep_a AS src, rep_b AS dst FROM close_pairs
UNION ALL
SELECT rep_b AS src, rep_a AS dst FROM close_pairs;

-- (4) Components: every node takes the smallest label among its neighbours until stable.
CREATE OR REPLACE TEMP TABLE dedup_components AS
WITH RECURSIVE component(node, label) USING KEY (node) AS (
    SELECT DISTINCT src, src FROM dedup_edges
    UNION
    SELECT e.dst, min(c.label)
    FROM component AS c
    JOIN dedup_edges AS e ON e.src = c.node
    JOIN recurring.component AS current ON current.node = e.dst
    GROUP BY e.dst, current.label
    HAVING min(c.label) < current.label
)
SELECT node, label FROM component;

-- Every product gets a group: component label of its representative, else itself. The
-- kept product is the first by md5('dedup:seed:product_id'): random, reproducible per seed,
-- and independent of the split hash (which uses another prefix).
DELETE FROM duplicate_groups;

INSERT INTO duplicate_groups (product_id, shop, group_id, kept)
WITH grouped AS (
    SELECT
        p.product_id,
        p.shop,
        coalesce(c.label, r.rep, p.product_id) AS group_id
    FROM products AS p
    LEFT JOIN dedup_rep AS r ON r.product_id = p.product_id
    LEFT JOIN dedup_components AS c ON c.node = r.rep
)
SELECT
    product_id,
    shop,
    group_id,
    row_number() OVER (
        PARTITION BY group_id ORDER BY md5('dedup:' || $seed || ':' || product_id), product_id
    ) = 1 AS kept
FROM grouped;

DROP TABLE dedup_bag;

DROP TABLE dedup_rep;

DROP TABLE dedup_vec;

DROP TABLE dedup_prefix;

DROP TABLE dedup_candidates;

DROP TABLE dedup_edges;

DROP TABLE dedup_components;
