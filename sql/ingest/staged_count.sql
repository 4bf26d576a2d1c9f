-- How many input rows were staged.
-- Reads: ingest_input. Writes: nothing. Parameters: none.
SELECT count(*) FROM ingest_input;
