CREATE OR REPLACE TABLE divergence_totals AS
SELECT
  unit,
  bin,
  CAST(bin DIV :bins_per_chunk AS INT) AS chunk,
  CAST(:field_bits * (
    bin % :bins_per_chunk
  ) AS INT) AS shift,
  total,
  ROW_NUMBER() OVER (PARTITION BY unit ORDER BY total DESC, bin NULLS LAST) = 1 AS is_mode
FROM (
  SELECT
    unit,
    bin,
    COUNT(*) AS total
  FROM divergence_binned
  GROUP BY
    unit,
    bin
);

CREATE OR REPLACE TABLE divergence_modes AS
SELECT
  TRANSFORM(ARRAY_SORT(COLLECT_LIST(NAMED_STRUCT('k0', b.unit_id, 'v', t.bin))), s -> s.v) AS modes
FROM divergence_edges AS b
LEFT JOIN divergence_totals AS t
  ON t.unit = b.unit_id AND t.is_mode;

CREATE OR REPLACE TABLE divergence_counts (
  widx INT NOT NULL,
  unit INT NOT NULL,
  chunk INT NOT NULL,
  packed BIGINT NOT NULL
);

