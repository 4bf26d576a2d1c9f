/* Spark form of step (4) of sql/dedup/groups.sql, part 1: every node labels itself. */
/* Spark's recursive CTEs allow neither USING KEY nor aggregates on the recursive */
/* reference, so attrdb.scaleout repeats components_step.sql until no label changes. */
/* Reads: dedup_edges. Writes: dedup_components (node, label). Parameters: none. */
CREATE OR REPLACE TABLE dedup_components AS
SELECT DISTINCT
  src AS node,
  src AS label
FROM dedup_edges;

