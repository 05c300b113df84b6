"""django-taggit's own test settings, `tests.settings` of its sdist, run with a report.

The only additions: the reporting test runner, and, for the run with multisync,
`"multisync"` at the end of `INSTALLED_APPS`, where a project lists its third-party
apps.
"""

from multisync_compat.reporting import wants_multisync
from tests.settings import *  # noqa: F403
from tests.settings import INSTALLED_APPS

TEST_RUNNER = "multisync_compat.runner.ReportingRunner"

if wants_multisync():
    INSTALLED_APPS = [*INSTALLED_APPS, "multisync"]
