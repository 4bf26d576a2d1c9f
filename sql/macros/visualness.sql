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

-- visualness_ranking_score(method, accuracy, accuracy_low): the score a list of visual words
-- ranks by: the lower 95 % bound of the balanced accuracy for the cross-fitted method (a
-- word tested on few images cannot lead by luck), the balanced accuracy itself for the
-- paper's methods (random, initial, resample) and the language prior.

CREATE OR REPLACE MACRO visualness_ranking_score(method, accuracy, accuracy_low) AS
    CASE WHEN method = 'crossfit' THEN accuracy_low ELSE accuracy END;
