"""The extension hook of the YAML cases: a small Django project around each case.

Every case runs mypy in a fresh directory with the documented configuration
(`mypy.ini`). django-stubs sets Django up there, so the hook writes the settings
module that configuration names, installing `myapp`; a case defines `myapp/models.py`
in its `files:` (an empty app is written when it does not). All cases share the same
settings, so mypy's cache of Django's stubs serves them all.

The hook also sets what the case expects from the mypy and django-stubs under test.
`out:` is a Jinja template, as in any pytest-mypy-plugins case, with these variables:

- `mypy`, `django_stubs`: the release under test, as `(major, minor)`;
- `definition("module", "Class.method")`: where mypy before 1.20 puts its "defined
  here" notes, as it prints that place from a case's directory.

so a line that a release prints differently is written per release:

```
{% if django_stubs >= (6, 1) %}
main:50: error: User has no field named 'emial'  [misc]
{% endif %}
```

Revealed types are written as mypy 1.20 and later print them (`list[str]`); an earlier
mypy's `builtins.list[builtins.str]` is read as the same type.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pytest_mypy_plugins import utils
from pytest_mypy_plugins.collect import File
from pytest_mypy_plugins.utils import (
    OutputMatcher,
    extract_output_matchers_from_comments,
    extract_output_matchers_from_out,
)

from tests.typing.versions import as_printed_today, release

if TYPE_CHECKING:
    import pytest
    from pytest_mypy_plugins.item import YamlTestItem

__all__ = ["django_app", "set_template_variables"]

SETTINGS = """\
SECRET_KEY = "multisync-typing"
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "multisync",
    "myapp",
]
"""

APP_FILES = ("myapp/__init__.py", "myapp/models.py")


def set_template_variables(config: pytest.Config) -> None:
    """Give the templates of the cases (`out:`) their variables.

    They go to pytest-mypy-plugins' own Jinja environment, which renders a case's `out:`
    when collecting it if it contains `{{`; `django_app` renders it again in any case.
    """

    def definition(module: str, qualname: str) -> str:
        target: Any = importlib.import_module(module)
        for name in qualname.split("."):
            target = getattr(target, name)
        lines, first = inspect.getsourcelines(target)
        line = first + next(i for i, text in enumerate(lines) if text.lstrip().startswith("def "))
        source = Path(inspect.getsourcefile(target) or "").with_suffix("")
        # A case runs in a new folder of the testing base (pytest-mypy-plugins).
        case_directory = Path(config.option.mypy_testing_base).absolute() / "case"
        return f"{os.path.relpath(source, case_directory)}:{line}"

    utils._rendering_env.globals.update(  # the environment of `out:`
        mypy=release("mypy"), django_stubs=release("django-stubs"), definition=definition
    )


def django_app(item: YamlTestItem) -> None:
    """Add the settings module and, unless the case has its own, an empty `myapp`.

    Then expect what the mypy and django-stubs under test print (see the module's
    docstring).
    """
    item.expected_output = _expected_output(item)
    written = {file.path for file in item.files}
    item.files.append(File(path="typing_settings.py", content=SETTINGS))
    item.files.extend(File(path=path, content="") for path in APP_FILES if path not in written)


def _expected_output(item: YamlTestItem) -> list[OutputMatcher]:
    """The case's `# N:` comments and its `out:`, rendered for the releases under test."""
    regex = bool(item.parsed_test_data.get("regex", False))
    found = [
        matcher
        for file in item.files
        for matcher in extract_output_matchers_from_comments(
            file.path, file.content.split("\n"), regex=regex
        )
    ]
    out = utils._rendering_env.from_string(item.parsed_test_data.get("out", ""))
    found += extract_output_matchers_from_out(out.render(), {}, regex=regex)
    return [_AsPrintedToday(**dataclasses.asdict(matcher)) for matcher in found]


@dataclasses.dataclass
class _AsPrintedToday(OutputMatcher):
    """Matches mypy's output as mypy 1.20 and later print it (`versions.as_printed_today`)."""

    def matches(self, actual: str) -> bool:
        return super().matches(as_printed_today(actual))
