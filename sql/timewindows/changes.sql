-- timewindows/changes: how many current periods there are, and how many a run recounts
-- and removes. Reads: tw_current, tw_recount, tw_removed. Writes: nothing. Parameters: none.
SELECT
    (SELECT count(*) FROM tw_current),
    (SELECT count(*) FROM tw_recount),
    (SELECT count(*) FROM tw_removed);
