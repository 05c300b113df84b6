"""The ASGI application that uvicorn serves.

Static files are served by Django's own `ASGIStaticFilesHandler` (what `runserver`
uses), so the demo needs no web server in front; a deployment would use one, or
WhiteNoise, instead.
"""

from __future__ import annotations

import os

from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "demo.settings")

application = ASGIStaticFilesHandler(get_asgi_application())
