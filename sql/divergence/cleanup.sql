-- divergence/cleanup: drop the working tables of a divergence run.
-- Reads: nothing. Writes: drops the divergence_* temp tables. Parameters: none.
DROP TABLE IF EXISTS divergence_kl;
DROP TABLE IF EXISTS divergence_counts;
DROP TABLE IF EXISTS divergence_modes;
DROP TABLE IF EXISTS divergence_totals;
DROP TABLE IF EXISTS divergence_sides;
DROP TABLE IF EXISTS divergence_words;
DROP TABLE IF EXISTS divergence_word_counts;
DROP TABLE IF EXISTS divergence_positives;
DROP TABLE IF EXISTS divergence_binned;
DROP TABLE IF EXISTS divergence_edges;
DROP TABLE IF EXISTS divergence_universe;
