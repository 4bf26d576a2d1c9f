-- The columns of a Parquet catalogue as read WITH ORDINALITY; the last one is the row
-- number DuckDB adds (named ordinality, or ordinality0, ... when the file has that name).
-- Reads: the file $path. Writes: nothing. Parameters: $path.
DESCRIBE SELECT * FROM read_parquet($path) WITH ORDINALITY;
