"""Context-robust discovery (docs/context.md): scopes, boilerplate removal, category-matched
negatives and the metadata agreement check.

Catalogue text and catalogue structure both leak into the paper's method: care-instruction
boilerplate makes words like "dry" and "warm" frequent, and words tied to one product type
look "visual" because the classifier learns the product type. This package keeps those
effects out and measurable, in SQL over the stage tables (``sql/context/*.sql``).
"""
