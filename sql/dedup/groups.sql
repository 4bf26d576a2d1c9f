-- Near-duplicate groups per shop: single linkage over cosine distance < $threshold.
-- Reads: dedup_bag (sql/dedup/bags.sql), products. Writes: duplicate_groups (replaced).
-- Parameters: $threshold (cosine distance, e.g. 0.1), $seed (VARCHAR, picks the kept one),
--             $width (bits per word set: the width bags.sql returns).
--
-- Gives the same partition as scikit-learn's AgglomerativeClustering(metric='cosine',
-- linkage='single', distance_threshold=$threshold) per shop on the binary vectors, without
-- a cross product. With t = 1 - $threshold (less 1e-9, so floating-point ties are kept),
-- a pair with cosine o / sqrt(|x| |y|) >= t needs (all-pairs similarity join filters):
--   length:   t^2 |x| <= |y| <= |x| / t^2;
--   prefix:   o >= ceil(t^2 |x|), so with words in the shop's rarest-first order (wid) the
--             first |x| - ceil(t^2 |x|) + 1 words of x and of y share a word;
--   position: o <= (shared prefix words) + min(words left after the last shared one).
-- (1) identical word sets collapse to one representative (distance 0); (2) candidate
-- pairs come from the prefix join and pass the length and position bounds; (3) their exact
-- distance comes from bitset popcounts, as scipy computes it (1 - o / (sqrt|x| sqrt|y|),
-- exact integers in, so ties at the threshold fall the same way); (4) connected components
-- by smallest-label propagation (WITH RECURSIVE ... USING KEY).

-- (1) Each product's set as a bitset over its shop's words; equal sets share the smallest id.
CREATE OR REPLACE TEMP TABLE dedup_rep AS
WITH sets AS (
    SELECT product_id, shop_key, count(*) AS size, bitstring_agg(wid, 0, $width - 1) AS bits
    FROM dedup_bag
    GROUP BY product_id, shop_key
)
SELECT
    product_id,
    shop_key,
    size,
    bits,
    min(product_id) OVER (PARTITION BY shop_key, bits) AS rep
FROM sets;

-- (2) Prefix words of the representatives, with their position in the set (1 = rarest).
CREATE OR REPLACE TEMP TABLE dedup_prefix AS
SELECT rep, shop_key, wid, size, pos
FROM (
    SELECT
        b.product_id AS rep,
        b.shop_key,
        b.wid,
        r.size,
        row_number() OVER (PARTITION BY b.product_id ORDER BY b.wid) AS pos
    FROM dedup_bag AS b
    JOIN dedup_rep AS r ON r.product_id = b.product_id AND r.rep = b.product_id
)
WHERE pos <= size - ceil(power(1 - $threshold - 1e-9, 2) * size) + 1;

CREATE OR REPLACE TEMP TABLE dedup_candidates AS
SELECT a.rep AS rep_a, b.rep AS rep_b
FROM dedup_prefix AS a
JOIN dedup_prefix AS b
  ON a.shop_key = b.shop_key AND a.wid = b.wid AND a.rep < b.rep
WHERE b.size >= power(1 - $threshold - 1e-9, 2) * a.size
  AND a.size >= power(1 - $threshold - 1e-9, 2) * b.size
GROUP BY a.rep, b.rep, a.size, b.size
HAVING count(*) + least(a.size - max(a.pos), b.size - max(b.pos))
       >= (1 - $threshold - 1e-9) * sqrt(a.size * b.size);

-- (3) Exact distance of the candidates; the close pairs, in both directions.
CREATE OR REPLACE TEMP TABLE dedup_edges AS
WITH close_pairs AS (
    SELECT c.rep_a, c.rep_b
    FROM dedup_candidates AS c
    JOIN dedup_rep AS a ON a.product_id = c.rep_a
    JOIN dedup_rep AS b ON b.product_id = c.rep_b
    WHERE 1 - bit_count(a.bits & b.bits) / (sqrt(a.size) * sqrt(b.size)) < $threshold
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

-- Every product gets a group: the component label of its representative, else the
-- representative, else itself (no usable word). The kept product is the first by
-- md5('dedup:seed:product_id'): random, reproducible per seed, and independent of the
-- split hash (which uses another prefix).
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

DROP TABLE dedup_prefix;

DROP TABLE dedup_candidates;

DROP TABLE dedup_edges;

DROP TABLE dedup_components;
