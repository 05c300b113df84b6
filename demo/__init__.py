"""The polls demo: a small Django project whose async views use every multisync feature.

`python demo/run.py` (or `make demo`) migrates an SQLite database, seeds a few polls
and serves the project under uvicorn. The modules:

- `settings`, `urls`, `asgi`: the project.
- `querycount`: counts the SQL queries of each request, on every thread it uses.
- `polls`: the app (models, views, templates, static CSS).
- `seed`: the polls every fresh database starts with.
"""
