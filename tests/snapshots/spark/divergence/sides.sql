CREATE OR REPLACE TABLE divergence_sides AS
SELECT
  w.widx,
  p.pidx
FROM divergence_words AS w
JOIN divergence_positives AS p
  ON p.word = w.word
WHERE
  NOT w.complement
UNION ALL
SELECT
  w.widx,
  u.pidx
FROM divergence_words AS w
CROSS JOIN divergence_universe AS u
WHERE
  w.complement
  AND NOT EXISTS(
    SELECT
      1
    FROM divergence_positives AS p
    WHERE
      p.word = w.word AND p.pidx = u.pidx
  );

