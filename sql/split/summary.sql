-- Products per split. Reads: splits. Writes: nothing. Parameters: none.
SELECT split, count(*) AS n_products FROM splits GROUP BY split ORDER BY split;
