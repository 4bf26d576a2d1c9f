-- timewindows/cleanup: drop the working tables of a time-window run.
-- Reads: nothing. Writes: drops the tw_* temp tables. Parameters: none.
DROP TABLE IF EXISTS tw_candidates;
DROP TABLE IF EXISTS tw_products;
DROP TABLE IF EXISTS tw_current;
DROP TABLE IF EXISTS tw_recount;
DROP TABLE IF EXISTS tw_removed;
DROP TABLE IF EXISTS tw_periods_ordered;
DROP TABLE IF EXISTS tw_windows;
DROP TABLE IF EXISTS tw_window_periods;
DROP TABLE IF EXISTS tw_affected;
