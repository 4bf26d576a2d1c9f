SELECT
  layer,
  layer_index,
  word,
  relative,
  max_kl
FROM (
  SELECT
    layer,
    layer_index,
    word,
    COALESCE(relative_z, relative) AS relative,
    max_kl,
    ROW_NUMBER() OVER (
      PARTITION BY layer_index
      ORDER BY COALESCE(relative_z, COALESCE(relative_z, relative)) DESC, word NULLS LAST
    ) AS _w
  FROM layer_depth
  WHERE
    model_id = :model_id AND scope = :scope
  ORDER BY
    layer_index NULLS LAST,
    COALESCE(relative_z, relative) DESC,
    word NULLS LAST
) AS _t
WHERE
  _w <= :n;

