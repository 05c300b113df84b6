"""Suggested answers may not contain NUL characters, as `makemigrations` wrote it."""

# Django builds these lists when it writes a migration; nothing mutates them.
# ruff: noqa: RUF012

import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):
    """Validate `Choice.choice_text` with `ProhibitNullCharactersValidator`."""

    dependencies = [
        ("polls", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="choice",
            name="choice_text",
            field=models.CharField(
                max_length=200,
                validators=[django.core.validators.ProhibitNullCharactersValidator()],
            ),
        ),
    ]
