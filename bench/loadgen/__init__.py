"""The load generator (run as ``python -m bench.loadgen``; see __main__.py)."""
