"""A simpleflow workflow for tests/integration/test_simpleflow.py, imported by simpleflow's
decider and worker processes through PYTHONPATH (the folder above this one)."""
