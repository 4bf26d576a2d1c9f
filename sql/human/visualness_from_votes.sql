-- H(u), eq. 3: for every word with imported votes, the share of its image pairs that more
-- than $theta annotators judged visual. Replaces earlier H(u) rows of those words.
-- Reads: human_judgments. Writes: human_visualness; returns (n_words).
-- Parameters: $theta (INTEGER; a pair counts as visual when positive_votes > $theta).

INSERT OR REPLACE INTO human_visualness (word, h, n_pairs, theta, source)
SELECT
    word,
    avg(CASE WHEN positive_votes > $theta THEN 1.0 ELSE 0.0 END) AS h,
    count(*) AS n_pairs,
    $theta AS theta,
    string_agg(DISTINCT source, ', ' ORDER BY source) AS source
FROM human_judgments
GROUP BY word;

SELECT count(DISTINCT word) AS n_words FROM human_judgments;
