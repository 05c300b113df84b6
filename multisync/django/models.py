"""`MultisyncModel`: an abstract model whose default manager is a `MultisyncManager`."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models

from multisync.django.query import MultisyncManager

__all__ = ["MultisyncModel"]


class MultisyncModel(models.Model):
    """An abstract base model whose `objects` is a `MultisyncManager`.

    ```python
    class Question(MultisyncModel):
        question_text = models.CharField(max_length=200)

    question = await Question.objects.get.a(pk=1)
    ```

    It is an abstract Django model, not a plain mixin, so that migrations never
    reference it.

    !!! note "Added in 0.1"
    """

    objects: ClassVar[MultisyncManager[Any]] = MultisyncManager()

    class Meta:
        abstract = True
