-- timewindows/products: the scope's products that the windows count, each with its period:
-- in the chosen split ('all' = every split), with an activation vector for the model, and
-- a value of the time field. period 'value' uses the value itself (a year or season column);
-- 'year', 'quarter', 'month' truncate a date: a number is read as unix seconds (Myntra's
-- catalog_add_date), text as an ISO date or timestamp. Labels sort in time order
-- ('2015-10', '2015-Q4'). Products without a usable value are counted, not windowed.
-- Reads: scope_products, products, splits, activation_vectors.
-- Writes: temp table tw_products(product_id, period); returns (n_dated, n_undated).
-- Parameters: $model_id, $scope, $field, $period, $split.

CREATE OR REPLACE TEMP TABLE tw_candidates AS
WITH raw AS (
    SELECT sp.product_id, scope_field_value($field, p.category, p.metadata) AS v
    FROM (SELECT DISTINCT product_id FROM scope_products WHERE scope = $scope) AS sp
    JOIN products AS p ON p.product_id = sp.product_id
    JOIN activation_vectors AS a ON a.product_id = sp.product_id AND a.model_id = $model_id
    WHERE $split = 'all'
       OR EXISTS (SELECT 1 FROM splits AS s WHERE s.product_id = sp.product_id AND s.split = $split)
),
stamped AS (
    SELECT
        product_id,
        v,
        CASE
            WHEN try_cast(v AS DOUBLE) IS NOT NULL
                THEN make_timestamp(CAST(try_cast(v AS DOUBLE) * 1000000 AS BIGINT))
            ELSE try_cast(v AS TIMESTAMP)
        END AS ts
    FROM raw
)
SELECT
    product_id,
    CASE $period
        WHEN 'value' THEN nullif(trim(v), '')
        WHEN 'year' THEN strftime(ts, '%Y')
        WHEN 'quarter' THEN strftime(ts, '%Y') || '-Q' || CAST(quarter(ts) AS VARCHAR)
        WHEN 'month' THEN strftime(ts, '%Y-%m')
    END AS period
FROM stamped;

CREATE OR REPLACE TEMP TABLE tw_products AS
SELECT product_id, period FROM tw_candidates WHERE period IS NOT NULL;

SELECT count(period), count(*) - count(period) FROM tw_candidates;
