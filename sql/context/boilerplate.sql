-- context/boilerplate: find a scope's boilerplate description lines and flag every line of
-- the scope's products that is one. A line's key is line_key(text) (case, digits and
-- punctuation folded). A key is boilerplate when, in some shop, at least $min_count
-- listings and at least $min_share of the shop's scope listings hold it (a template that
-- shop pastes into its listings), or when at least $min_listings scope listings hold it
-- wherever they are (care instructions that many shops share). A flagged key is boilerplate
-- in every shop. Only descriptions are searched: a title names its product, and identical
-- titles are near-duplicates, which dedup handles.
-- Reads: text_lines, scope_products, products.
-- Writes: boilerplate_lines, boilerplate_product_lines (the scope's rows replaced);
--         excluded = $drop on every flagged line.
-- Parameters: $scope, $min_count, $min_share, $min_listings, $drop (BOOLEAN).

DELETE FROM boilerplate_lines WHERE scope = $scope;

DELETE FROM boilerplate_product_lines WHERE scope = $scope;

CREATE OR REPLACE TEMP TABLE context_lines AS
SELECT l.product_id, p.shop, l.field, l.line_no, l.text, line_key(l.text) AS line_key
FROM text_lines AS l
JOIN scope_products AS s ON s.product_id = l.product_id AND s.scope = $scope
JOIN products AS p ON p.product_id = l.product_id
WHERE l.field = 'description';

INSERT INTO boilerplate_lines
    (scope, line_key, n_products, n_shops, n_shops_flagged, max_shop_share, example, rank)
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
per_line AS (
    SELECT
        ps.line_key,
        sum(ps.n) AS n_products,
        count(*) AS n_shops,
        count(*) FILTER (WHERE ps.n >= $min_count AND ps.n / ss.n_shop >= $min_share)
            AS n_shops_flagged,
        max(ps.n / ss.n_shop) AS max_shop_share
    FROM per_shop AS ps
    JOIN shop_sizes AS ss ON ss.shop IS NOT DISTINCT FROM ps.shop
    GROUP BY ps.line_key
),
flagged AS (
    SELECT *
    FROM per_line
    WHERE n_shops_flagged > 0 OR n_products >= $min_listings
),
examples AS (
    SELECT l.line_key, min(l.text) AS example
    FROM context_lines AS l
    SEMI JOIN flagged AS f ON f.line_key = l.line_key
    GROUP BY l.line_key
)
SELECT
    $scope,
    f.line_key,
    f.n_products,
    f.n_shops,
    f.n_shops_flagged,
    f.max_shop_share,
    e.example,
    CAST(row_number() OVER (ORDER BY f.n_products DESC, f.line_key) AS INTEGER)
FROM flagged AS f
JOIN examples AS e ON e.line_key = f.line_key;

INSERT INTO boilerplate_product_lines (scope, product_id, field, line_no, line_key, excluded)
SELECT $scope, l.product_id, l.field, l.line_no, l.line_key, $drop
FROM context_lines AS l
JOIN boilerplate_lines AS b ON b.line_key = l.line_key AND b.scope = $scope;

DROP TABLE context_lines;
