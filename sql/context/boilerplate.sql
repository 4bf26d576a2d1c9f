-- context/boilerplate: find a scope's boilerplate description lines and flag every line of
-- the scope's products that is one. A line's key is line_key(text) (case, digits and
-- punctuation folded). Only descriptions are searched: a title names its product, and
-- identical titles are near-duplicates, which dedup handles.
--
-- A key *recurs* when, in some shop, at least $min_count listings and at least $min_share
-- of the shop's scope listings hold it, or when at least $min_listings scope listings hold
-- it wherever they are. Recurring is not enough: on a one-shop catalogue "Lined." and
-- "Unlined." recur across thousands of listings and are attributes. A recurring key is
-- boilerplate only when it is not informative about the product:
--   constant  in some shop it is in at least $min_count listings and $constant_share of
--             them: pasted into (nearly) every listing whatever the product, it cannot
--             tell the shop's products apart;
--   long      it has more than $max_attribute_words words: a sentence that long repeated
--             verbatim is copy (care, warranty, marketing), not one attribute;
--   template  in at least half of its listings it sits in a run of consecutive recurring
--             lines (a section) that holds a constant or long line: the care lines under
--             "Wash Care", the values under "Model Statistics". A care line that varies
--             between listings ("Tumble dry at low temperature") is caught by its section.
-- Recurring short lines outside such sections stay: they split the catalogue into products
-- with and without the attribute. A flagged key is boilerplate in every shop.
-- Reads: text_lines, scope_products, products.
-- Writes: boilerplate_lines, boilerplate_product_lines (the scope's rows replaced);
--         excluded = $drop on every flagged line; temp context_keys (the recurring keys).
-- Returns: the recurring keys kept as attributes (key, example, listings, shops, largest
--          shop share), most listings first.
-- Parameters: $scope, $min_count, $min_share, $min_listings, $constant_share,
--             $max_attribute_words, $drop (BOOLEAN).

DELETE FROM boilerplate_lines WHERE scope = $scope;

DELETE FROM boilerplate_product_lines WHERE scope = $scope;

CREATE OR REPLACE TEMP TABLE context_lines AS
SELECT l.product_id, p.shop, l.field, l.line_no, l.text, line_key(l.text) AS line_key
FROM text_lines AS l
JOIN scope_products AS s ON s.product_id = l.product_id AND s.scope = $scope
JOIN products AS p ON p.product_id = l.product_id
WHERE l.field = 'description';

CREATE OR REPLACE TEMP TABLE context_keys AS
WITH shop_sizes AS (
    SELECT p.shop, count(*) AS n_shop
    FROM scope_products AS s
    JOIN products AS p ON p.product_id = s.product_id
    WHERE s.scope = $scope
    GROUP BY p.shop
),
per_shop AS (
    SELECT shop, line_key, count(DISTINCT product_id) AS n
    FROM context_lines
    WHERE line_key <> ''
    GROUP BY shop, line_key
),
examples AS (
    SELECT line_key, min(text) AS example FROM context_lines GROUP BY line_key
)
SELECT
    ps.line_key,
    sum(ps.n) AS n_products,
    count(*) AS n_shops,
    count(*) FILTER (WHERE ps.n >= $min_count AND ps.n / ss.n_shop >= $min_share)
        AS n_shops_flagged,
    count(*) FILTER (WHERE ps.n >= $min_count AND ps.n / ss.n_shop >= $constant_share)
        AS n_shops_constant,
    max(ps.n / ss.n_shop) AS max_shop_share,
    len(string_split(ps.line_key, ' ')) AS n_words,
    any_value(e.example) AS example
FROM per_shop AS ps
JOIN shop_sizes AS ss ON ss.shop IS NOT DISTINCT FROM ps.shop
JOIN examples AS e ON e.line_key = ps.line_key
GROUP BY ps.line_key
HAVING count(*) FILTER (WHERE ps.n >= $min_count AND ps.n / ss.n_shop >= $min_share) > 0
    OR sum(ps.n) >= $min_listings;

CREATE OR REPLACE TEMP TABLE context_flags AS
WITH recurring_lines AS (
    -- Every description line whose key recurs, with its section: consecutive recurring
    -- lines of one listing share line_no - row number (gaps and islands).
    SELECT
        l.product_id,
        l.line_key,
        k.n_shops_constant > 0 OR k.n_words > $max_attribute_words AS anchor,
        l.line_no - row_number() OVER (PARTITION BY l.product_id ORDER BY l.line_no)
            AS section
    FROM context_lines AS l
    JOIN context_keys AS k ON k.line_key = l.line_key
),
in_sections AS (
    SELECT
        line_key,
        product_id,
        bool_or(anchor) OVER (PARTITION BY product_id, section) AS in_template
    FROM recurring_lines
),
template_share AS (
    SELECT line_key, avg(CAST(in_template AS DOUBLE)) AS share
    FROM (
        SELECT line_key, product_id, bool_or(in_template) AS in_template
        FROM in_sections
        GROUP BY line_key, product_id
    )
    GROUP BY line_key
)
SELECT
    k.line_key,
    CASE
        WHEN k.n_shops_constant > 0 THEN 'constant'
        WHEN k.n_words > $max_attribute_words THEN 'long'
        WHEN t.share >= 0.5 THEN 'template'
    END AS reason
FROM context_keys AS k
JOIN template_share AS t ON t.line_key = k.line_key;

INSERT INTO boilerplate_lines
    (scope, line_key, n_products, n_shops, n_shops_flagged, max_shop_share, example, rank,
     reason)
WITH line_words AS (
    -- The content words (letters only, no stop words) of every description line.
    SELECT DISTINCT l.product_id, l.line_no, l.line_key, w.word
    FROM context_lines AS l
    CROSS JOIN unnest(value_words(l.text)) AS w(word)
    WHERE w.word NOT IN (SELECT word FROM stop_words)
),
word_home AS (
    -- Share of a word's line occurrences that sit on lines flagged so far.
    SELECT lw.word, avg(CAST(f.reason IS NOT NULL AS DOUBLE)) AS share_flagged
    FROM line_words AS lw
    LEFT JOIN context_flags AS f ON f.line_key = lw.line_key
    GROUP BY lw.word
),
template_words AS (
    -- For each recurring line not flagged yet: the share of its content words that live
    -- mostly on flagged lines (bleach, tumble, warranty: the template's vocabulary).
    SELECT kw.line_key, avg(CAST(h.share_flagged >= 0.5 AS DOUBLE)) AS share
    FROM (SELECT DISTINCT line_key, word FROM line_words) AS kw
    JOIN context_flags AS f ON f.line_key = kw.line_key AND f.reason IS NULL
    JOIN word_home AS h ON h.word = kw.word
    GROUP BY kw.line_key
),
flagged AS (
    SELECT
        k.*,
        coalesce(f.reason, CASE WHEN tw.share >= 0.5 THEN 'template_words' END) AS reason
    FROM context_keys AS k
    JOIN context_flags AS f ON f.line_key = k.line_key
    LEFT JOIN template_words AS tw ON tw.line_key = k.line_key
)
SELECT
    $scope,
    line_key,
    n_products,
    n_shops,
    n_shops_flagged,
    max_shop_share,
    example,
    CAST(row_number() OVER (ORDER BY n_products DESC, line_key) AS INTEGER),
    reason
FROM flagged
WHERE reason IS NOT NULL;

INSERT INTO boilerplate_product_lines (scope, product_id, field, line_no, line_key, excluded)
SELECT $scope, l.product_id, l.field, l.line_no, l.line_key, $drop
FROM context_lines AS l
JOIN boilerplate_lines AS b ON b.line_key = l.line_key AND b.scope = $scope;

DROP TABLE context_lines;

DROP TABLE context_flags;

SELECT k.line_key, k.example, k.n_products, k.n_shops, k.max_shop_share
FROM context_keys AS k
ANTI JOIN boilerplate_lines AS b ON b.scope = $scope AND b.line_key = k.line_key
ORDER BY k.n_products DESC, k.line_key;
