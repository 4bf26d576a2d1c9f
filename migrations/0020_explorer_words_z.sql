-- 0020 explorer words z: explorer_words (0010) gains max_kl_z, the largest null-corrected
-- divergence (prime_units.kl_z, migration 0011) of the word's prime units, beside the raw
-- max_kl; NULL where the divergence stage measured no null.
-- Reads: vocabulary, prime_units, visualness, word_depth_peak, human_visualness.
-- Writes: view explorer_words.

-- One row per (model, scope, vocabulary word) for every model with results in the scope:
-- the word's kind and |D+| (n_products), its strongest prime unit's KL (raw max_kl and
-- null-corrected max_kl_z) and number of prime units, where its divergence peaks
-- (word_depth_peak) and the human score when imported.
CREATE OR REPLACE VIEW explorer_words AS
WITH model_scopes AS (
    SELECT DISTINCT model_id, scope FROM prime_units
    UNION
    SELECT DISTINCT model_id, scope FROM visualness
),
prime AS (
    SELECT model_id, scope, word, max(kl) AS max_kl, max(kl_z) AS max_kl_z,
        count(*) AS n_prime_units
    FROM prime_units
    GROUP BY model_id, scope, word
)
SELECT
    m.model_id,
    voc.scope,
    voc.word,
    voc.kind,
    voc.rank AS vocabulary_rank,
    voc.n_products,
    voc.n_kind,
    p.max_kl,
    p.n_prime_units,
    d.peak_layer,
    d.peak_layer_index,
    d.peak_relative,
    d.mean_depth,
    h.h,
    p.max_kl_z
FROM vocabulary AS voc
JOIN model_scopes AS m ON m.scope = voc.scope
LEFT JOIN prime AS p ON p.model_id = m.model_id AND p.scope = voc.scope AND p.word = voc.word
LEFT JOIN word_depth_peak AS d
    ON d.model_id = m.model_id AND d.scope = voc.scope AND d.word = voc.word
LEFT JOIN human_visualness AS h ON h.word = voc.word;
