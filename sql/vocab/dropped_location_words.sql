-- The location words the newest vocabulary run of this connection left out
-- (sql/vocab/vocabulary.sql), most products first.
-- Reads: vocab_dropped_location_words (temp). Writes: nothing.
-- Parameters: none.
SELECT word, n_kind FROM vocab_dropped_location_words ORDER BY n_kind DESC, word;
