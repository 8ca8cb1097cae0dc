"""The domain model: periods, queries, results and rankings. Pure Python, no I/O."""
