-- Train / test / val split of every product by a seeded hash of its product_id.
-- Reads: products. Writes: splits (replaced).
-- Parameters: $seed (VARCHAR), $train, $test (fractions; val takes the rest).
-- u = md5('split:seed:product_id') as a number in [0, 1): the same seed always gives the
-- same rows, a product's split never depends on the others, and the 'split:' prefix keeps
-- it independent of the hash that picks kept near-duplicates.
DELETE FROM splits;

INSERT INTO splits (product_id, split)
SELECT
    product_id,
    CASE
        WHEN u < $train THEN 'train'
        WHEN u < $train + $test THEN 'test'
        ELSE 'val'
    END
FROM (
    SELECT
        product_id,
        md5_number('split:' || $seed || ':' || product_id)::DOUBLE / 2::DOUBLE ** 128 AS u
    FROM products
);
