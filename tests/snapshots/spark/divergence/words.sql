CREATE OR REPLACE TABLE divergence_positives AS
SELECT DISTINCT
  wp.word,
  u.pidx
FROM word_products AS wp
JOIN vocabulary AS v
  ON v.scope = wp.scope AND v.word = wp.word
JOIN divergence_universe AS u
  ON u.product_id = wp.product_id
WHERE
  wp.scope = :scope;

WITH strata AS (
  SELECT
    u.pidx,
    CASE
      WHEN :match_field IS NULL
      THEN 0
      ELSE DENSE_RANK() OVER (
        ORDER BY (
          CASE
            WHEN (
              :match_shop
            )
            THEN COALESCE(
              (
                CASE
                  WHEN (
                    (
                      :match_field
                    )
                  ) = 'category'
                  THEN (
                    (
                      COALESCE(p.category, pt.product_type)
                    )
                  )
                  WHEN STARTSWITH((
                    (
                      :match_field
                    )
                  ), 'metadata.')
                  THEN (
                    CASE
                      WHEN NOT CONTAINS((
                        SUBSTRING((
                          (
                            :match_field
                          )
                        ), 10)
                      ), '.')
                      THEN GET_JSON_OBJECT(
                        (
                          (
                            (
                              p.metadata
                            )
                          )
                        ),
                        (
                          SUBSTRING((
                            (
                              :match_field
                            )
                          ), 10)
                        )
                      )
                      ELSE GET_JSON_OBJECT(
                        GET_JSON_OBJECT(
                          (
                            (
                              (
                                p.metadata
                              )
                            )
                          ),
                          SPLIT_PART((
                            SUBSTRING((
                              (
                                :match_field
                              )
                            ), 10)
                          ), '.', 1)
                        ),
                        SUBSTRING(
                          (
                            SUBSTRING((
                              (
                                :match_field
                              )
                            ), 10)
                          ),
                          LOCATE('.', (
                            SUBSTRING((
                              (
                                :match_field
                              )
                            ), 10)
                          )) + 1
                        )
                      )
                    END
                  )
                END
              ),
              ''
            ) || CHR(  31) || COALESCE((
              p.shop
            ), '')
            ELSE (
              CASE
                WHEN (
                  (
                    :match_field
                  )
                ) = 'category'
                THEN (
                  (
                    COALESCE(p.category, pt.product_type)
                  )
                )
                WHEN STARTSWITH((
                  (
                    :match_field
                  )
                ), 'metadata.')
                THEN (
                  CASE
                    WHEN NOT CONTAINS((
                      SUBSTRING((
                        (
                          :match_field
                        )
                      ), 10)
                    ), '.')
                    THEN GET_JSON_OBJECT(
                      (
                        (
                          (
                            p.metadata
                          )
                        )
                      ),
                      (
                        SUBSTRING((
                          (
                            :match_field
                          )
                        ), 10)
                      )
                    )
                    ELSE GET_JSON_OBJECT(
                      GET_JSON_OBJECT(
                        (
                          (
                            (
                              p.metadata
                            )
                          )
                        ),
                        SPLIT_PART((
                          SUBSTRING((
                            (
                              :match_field
                            )
                          ), 10)
                        ), '.', 1)
                      ),
                      SUBSTRING(
                        (
                          SUBSTRING((
                            (
                              :match_field
                            )
                          ), 10)
                        ),
                        LOCATE('.', (
                          SUBSTRING((
                            (
                              :match_field
                            )
                          ), 10)
                        )) + 1
                      )
                    )
                  END
                )
              END
            )
          END
        )
      )
    END AS stratum
  FROM divergence_universe AS u
  LEFT JOIN products AS p
    ON p.product_id = u.product_id
  LEFT JOIN product_types AS pt
    ON pt.product_id = u.product_id
), word_strata AS (
  SELECT
    word,
    stratum,
    n_pos,
    DENSE_RANK() OVER (ORDER BY word NULLS LAST) AS wid
  FROM (
    SELECT
      d.word,
      s.stratum,
      COUNT(*) AS n_pos
    FROM divergence_positives AS d
    JOIN strata AS s
      ON s.pidx = d.pidx
    GROUP BY
      d.word,
      s.stratum
  )
), draw_numbers AS (
  SELECT
    _unnest0.val AS draw
  LATERAL VIEW
  POSEXPLODE(
    IF(
      (
        CAST(:null_draws AS BIGINT) - 1
      ) < 0,
      ARRAY(),
      SEQUENCE(0, (
        CAST(:null_draws AS BIGINT) - 1
      ))
    )
  ) _unnest0 AS pos, val
), draws AS (
  /* The window holds a row per word, draw and universe product (21.7 M at the paper's */
  /* size, the stage's largest working set), so its rows carry integers and a sort key of */
  /* 12 characters (DuckDB stores strings of up to 12 bytes inline), no names: the first */
  /* 12 hex digits (48 bits) of the md5 order the products as the whole md5 does, but for */
  /* ties of that prefix, which pidx breaks. */
  SELECT
    w.wid,
    n.draw,
    s.pidx,
    w.n_pos,
    ROW_NUMBER() OVER (
      PARTITION BY w.wid, n.draw, w.stratum
      ORDER BY SUBSTRING(MD5(CONCAT_WS(' ', :null_seed, n.draw, s.pidx, w.word)), 1, 12) NULLS LAST, s.pidx NULLS LAST
    ) AS position
  FROM word_strata AS w
  CROSS JOIN draw_numbers AS n
  JOIN strata AS s
    ON s.stratum = w.stratum
)
INSERT INTO divergence_positives
SELECT
  CHR(  31) || 'null ' || d.draw || ' ' || w.word AS word,
  d.pidx
FROM draws AS d
JOIN (
  SELECT DISTINCT
    wid,
    word
  FROM word_strata
) AS w
  ON w.wid = d.wid
WHERE
  d.position <= d.n_pos;

CREATE OR REPLACE TABLE divergence_word_counts AS
WITH n AS (
  SELECT
    COUNT(*) AS n_universe
  FROM divergence_universe
), candidates AS (
  SELECT
    word
  FROM vocabulary
  WHERE
    scope = :scope
  UNION ALL
  SELECT DISTINCT
    word
  FROM divergence_positives
  WHERE
    STARTSWITH(word, CHR(  31))
)
SELECT
  c.word,
  COUNT(p.pidx) AS n_pos,
  ANY_VALUE(n.n_universe) IGNORE NULLS - COUNT(p.pidx) AS n_neg
FROM candidates AS c
CROSS JOIN n
LEFT JOIN divergence_positives AS p
  ON p.word = c.word
GROUP BY
  c.word;

CREATE OR REPLACE TABLE divergence_words AS
SELECT
  CAST(ROW_NUMBER() OVER (ORDER BY word NULLS LAST) - 1 AS INT) AS widx,
  word,
  n_pos,
  n_neg,
  n_pos > n_neg AS complement,
  LEAST(n_pos, n_neg) AS n_side,
  GREATEST(n_pos, n_neg) AS n_other
FROM divergence_word_counts
WHERE
  n_pos >= :min_positives AND n_neg >= :min_negatives;

SELECT
  word,
  n_pos,
  n_neg,
  n_pos >= :min_positives AND n_neg >= :min_negatives AS kept
FROM divergence_word_counts
WHERE
  NOT STARTSWITH(word, CHR(  31))
ORDER BY
  n_pos DESC,
  word NULLS LAST;

