INSERT INTO divergence_counts (
  widx,
  unit,
  chunk,
  packed
)
SELECT
  widx,
  unit,
  :chunk,
  SUM(packed)
FROM (
  SELECT
    s.widx,
    b.unit,
    b.packed
  FROM divergence_sides AS s
  JOIN (
    SELECT
      pidx,
      unit,
      SHIFTLEFT(CAST(1 AS BIGINT), (
        :field_bits * (
          bin - :chunk * :bins_per_chunk
        )
      )) AS packed
    FROM divergence_binned
    WHERE
      bin DIV :bins_per_chunk = :chunk
      AND bin <> (
        SELECT
          modes
        FROM divergence_modes
      )[(
        unit + 1
      ) - 1]
  ) AS b
    ON b.pidx = s.pidx
  UNION ALL
  SELECT
    w.widx,
    t.unit,
    CAST(0 AS BIGINT)
  FROM divergence_words AS w
  CROSS JOIN (
    SELECT DISTINCT
      unit
    FROM divergence_totals
    WHERE
      chunk = :chunk AND NOT is_mode
  ) AS t
)
GROUP BY
  widx,
  unit;

