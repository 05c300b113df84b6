"""The models the recipes import as `from .models import ...`: the test app's.

The recipes read as modules of a project's own app, where `from .models import Profile`
is how a view or a middleware reaches the app's models.
"""

from __future__ import annotations

from tests.testapp.models import Profile

__all__ = ["Profile"]
