DELETE FROM splits;

INSERT INTO splits (
  product_id,
  split
)
SELECT
  product_id,
  CASE WHEN u < :train THEN 'train' WHEN u < :train + :test THEN 'test' ELSE 'val' END
FROM (
  SELECT
    product_id,
    (
      ELEMENT_AT(
        TRANSFORM(
          TRANSFORM(
            ARRAY(MD5((
              'split:' || :seed || ':' || product_id
            ))),
            h -> STRUCT(
              CAST(CONV(
                CONCAT(
                  SUBSTRING(h, 31, 2),
                  SUBSTRING(h, 29, 2),
                  SUBSTRING(h, 27, 2),
                  SUBSTRING(h, 25, 2),
                  SUBSTRING(h, 23, 2),
                  SUBSTRING(h, 21, 2),
                  SUBSTRING(h, 19, 2),
                  SUBSTRING(h, 17, 2)
                ),
                16,
                10
              ) AS DECIMAL(20, 0)) AS hi,
              CAST(CONV(
                CONCAT(
                  SUBSTRING(h, 15, 2),
                  SUBSTRING(h, 13, 2),
                  SUBSTRING(h, 11, 2),
                  SUBSTRING(h, 9, 2),
                  SUBSTRING(h, 7, 2),
                  SUBSTRING(h, 5, 2),
                  SUBSTRING(h, 3, 2),
                  SUBSTRING(h, 1, 2)
                ),
                16,
                10
              ) AS DECIMAL(20, 0)) AS lo
            )
          ),
          p -> CASE
            WHEN p.hi < 4611686018427387904
            THEN CAST(CAST(p.hi AS DECIMAL(38, 0)) * 18446744073709551616 + p.lo AS DOUBLE)
            ELSE CAST(p.hi + CASE WHEN p.lo > 0 AND p.hi % 2 = 0 THEN 1 ELSE 0 END AS DOUBLE) * CAST(18446744073709551616 AS DOUBLE)
          END
        ),
        1
      )
    ) / POWER(CAST(2 AS DOUBLE), 128) AS u
  FROM products
);

