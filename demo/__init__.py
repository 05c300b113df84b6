"""The polls demo: a small Django project whose async views use every multisync feature.

`python demo/run.py` (or `make demo`) migrates an SQLite database (or a PostgreSQL one:
`--database postgres://...`), seeds a few polls and serves the project under uvicorn,
in `--workers` processes. The modules:

- `settings`, `urls`, `asgi`: the project.
- `database`: the database settings from `--database`, and SQLite's WAL mode.
- `inflight`: the cap on requests in flight per process, which bounds connections.
- `querycount`: counts the SQL queries of each request, on every thread it uses.
- `polls`: the app (models, views, templates, static CSS).
- `seed`: the polls every fresh database starts with.
"""
