-- explorer/summary: the overview's dataset counts (dataset_summary view).
-- Reads: dataset_summary. Writes: nothing. Parameters: none.
SELECT * FROM dataset_summary;
