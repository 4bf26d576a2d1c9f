/* Spark form of step (4) of sql/dedup/groups.sql, part 2: one round of min-label */
/* propagation with pointer jumping; returns how many labels changed (0 = done). */
/* Each node takes the smallest label among itself and its neighbours, then the label its */
/* new label's node holds (labels are always node ids of the same component, so the jump */
/* keeps the result: the smallest node id of each connected component, as in DuckDB). */
/* Reads/writes: dedup_components, dedup_edges. Parameters: none. */
CREATE OR REPLACE TABLE dedup_components_next AS
WITH spread AS (
  SELECT
    c.node,
    LEAST(c.label, COALESCE(m.label, c.label)) AS label
  FROM dedup_components AS c
  LEFT JOIN (
    SELECT
      e.dst AS node,
      MIN(n.label) AS label
    FROM dedup_edges AS e
    JOIN dedup_components AS n
      ON n.node = e.src
    GROUP BY
      e.dst
  ) AS m
    ON m.node = c.node
)
SELECT
  s.node,
  LEAST(s.label, COALESCE(j.label, s.label)) AS label
FROM spread AS s
LEFT JOIN spread AS j
  ON j.node = s.label;

CREATE OR REPLACE TABLE dedup_components_changed AS
SELECT
  COUNT(*) AS n_changed
FROM dedup_components_next AS x
JOIN dedup_components AS c
  ON c.node = x.node
WHERE
  x.label <> c.label;

CREATE OR REPLACE TABLE dedup_components AS
SELECT
  node,
  label
FROM dedup_components_next;

DROP TABLE dedup_components_next;

SELECT
  n_changed
FROM dedup_components_changed;

