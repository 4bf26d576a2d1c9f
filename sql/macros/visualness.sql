-- Macros of the visualness stage.
-- classifier_score(vals, unit_ids, coef, intercept, mean, scale): the probability a stored
-- classifier (table classifiers) gives an activation vector vals (activation_vectors.vals):
-- sigmoid(intercept + sum_i ((vals[unit_ids[i]] - mean[i]) / scale[i]) * coef[i]), with
-- unit_ids NULL meaning every unit in order. unit_ids hold 0-based unit ids; lists are
-- 1-based, hence the + 1.

CREATE OR REPLACE MACRO classifier_score(vals, unit_ids, coef, intercept, mean, scale) AS
    1.0 / (1.0 + exp(-(intercept + list_sum(list_transform(
        range(1, len(coef) + 1),
        lambda i: (
            (vals[CASE WHEN unit_ids IS NULL THEN i ELSE unit_ids[i] + 1 END] - mean[i])
            / scale[i]
        ) * coef[i]
    )))));

-- visualness_ranking_score(method, accuracy, auc_low): the score a list of visual words
-- ranks by: the lower end of the AUC's 95 % interval for the cross-fitted method (a word
-- tested on few images cannot lead by luck; threshold-free, it moved less between split
-- seeds than the balanced accuracy's bound: docs/trust.md), the balanced accuracy itself
-- for the paper's methods (random, initial, resample) and the language prior.

CREATE OR REPLACE MACRO visualness_ranking_score(method, accuracy, auc_low) AS
    CASE WHEN method = 'crossfit' THEN auc_low ELSE accuracy END;
