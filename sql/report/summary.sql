-- report/summary: the dataset in one row (dataset_summary view).
-- Reads: dataset_summary. Writes: nothing. Parameters: none.
SELECT * FROM dataset_summary;
