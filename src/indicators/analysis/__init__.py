"""Pure computations on tidy tables: gaps, school means, grid aggregation, cross-checks."""
