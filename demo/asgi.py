"""The ASGI application that uvicorn serves.

Django's application, behind `InFlightLimit` (demo/inflight.py), which lets each
process handle `DEMO_MAX_IN_FLIGHT` requests at once and queues the others. Static
files are served by WhiteNoise's middleware (demo/settings.py), so the demo needs no
web server in front.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.core.asgi import get_asgi_application

from demo.inflight import InFlightLimit

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "demo.settings")

application = InFlightLimit(get_asgi_application(), limit=settings.DEMO_MAX_IN_FLIGHT)
