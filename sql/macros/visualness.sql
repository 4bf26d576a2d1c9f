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
