"""pyflow (PyPI pyflow-swf) workflows for tests/integration/test_pyflow.py, run by the decider
and activity-worker processes in this package (imported through PYTHONPATH, the folder above
this one)."""
