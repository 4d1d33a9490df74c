"""Rules over sites: status facts, targets, grading, evidence, as-of replay, review colouring (pure).

Nothing here imports the map, the web routes, the UI or a database driver
(``tests/test_architecture.py``)."""
