"""The load test: `python -m bench.load` starts gunicorn on 127.0.0.1 against a bench database
and sends it simulated reps, managers and an admin with locust (bench/load/locustfile.py)."""
