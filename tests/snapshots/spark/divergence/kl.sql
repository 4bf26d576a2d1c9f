WITH counted AS (
  SELECT
    c.widx,
    c.unit,
    c.chunk,
    c.packed,
    w.n_side,
    w.n_other
  FROM divergence_counts AS c
  JOIN divergence_words AS w
    ON w.widx = c.widx
), sides AS (
  SELECT
    c.widx,
    c.unit,
    c.n_side,
    c.n_other,
    t.total,
    CAST((
      SHIFTRIGHT(c.packed, t.shift)
    ) & :field_mask AS BIGINT) AS side
  FROM counted AS c
  JOIN divergence_totals AS t
    ON t.unit = c.unit AND t.chunk = c.chunk AND NOT t.is_mode
), partial AS (
  SELECT
    widx,
    unit,
    SUM(
      (
        (
          (
            (
              (
                1.0 - (
                  :smoothing
                )
              ) * (
                side
              ) / (
                n_side
              ) + (
                :smoothing
              ) / (
                :n_bins
              )
            )
          ) - (
            (
              (
                1.0 - (
                  :smoothing
                )
              ) * (
                total - side
              ) / (
                n_other
              ) + (
                :smoothing
              ) / (
                :n_bins
              )
            )
          )
        ) * LN(
          (
            (
              (
                1.0 - (
                  :smoothing
                )
              ) * (
                side
              ) / (
                n_side
              ) + (
                :smoothing
              ) / (
                :n_bins
              )
            )
          ) / (
            (
              (
                1.0 - (
                  :smoothing
                )
              ) * (
                total - side
              ) / (
                n_other
              ) + (
                :smoothing
              ) / (
                :n_bins
              )
            )
          )
        )
      )
    ) AS kl,
    SUM(side) AS side
  FROM sides
  GROUP BY
    widx,
    unit
)
INSERT INTO divergence_kl (
  word,
  unit_id,
  kl,
  n_pos,
  n_neg
)
SELECT
  w.word,
  p.unit,
  p.kl + (
    (
      (
        (
          (
            1.0 - (
              :smoothing
            )
          ) * (
            w.n_side - p.side
          ) / (
            w.n_side
          ) + (
            :smoothing
          ) / (
            :n_bins
          )
        )
      ) - (
        (
          (
            1.0 - (
              :smoothing
            )
          ) * (
            m.total - (
              w.n_side - p.side
            )
          ) / (
            w.n_other
          ) + (
            :smoothing
          ) / (
            :n_bins
          )
        )
      )
    ) * LN(
      (
        (
          (
            1.0 - (
              :smoothing
            )
          ) * (
            w.n_side - p.side
          ) / (
            w.n_side
          ) + (
            :smoothing
          ) / (
            :n_bins
          )
        )
      ) / (
        (
          (
            1.0 - (
              :smoothing
            )
          ) * (
            m.total - (
              w.n_side - p.side
            )
          ) / (
            w.n_other
          ) + (
            :smoothing
          ) / (
            :n_bins
          )
        )
      )
    )
  ),
  w.n_pos,
  w.n_neg
FROM partial AS p
JOIN divergence_words AS w
  ON w.widx = p.widx
JOIN divergence_totals AS m
  ON m.unit = p.unit AND m.is_mode
UNION ALL
SELECT
  w.word,
  b.unit_id,
  0.0,
  w.n_pos,
  w.n_neg
FROM divergence_words AS w
CROSS JOIN divergence_edges AS b
WHERE
  b.constant AND b.unit_id >= :unit_lo AND b.unit_id < :unit_hi;

