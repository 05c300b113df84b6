"""`MultisyncModel`: an abstract model whose default manager is a `MultisyncManager`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Self

from django.db import models

from multisync.django.checks import installed_errors
from multisync.django.query import MultisyncManager

if TYPE_CHECKING:
    from django.core.checks import CheckMessage

    from multisync.core import AsyncRelationsAccessor

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

    # `Self`: `Question.objects` is a `MultisyncManager[Question]` under mypy and
    # pyright alike. As for any abstract model with a manager under django-stubs, a
    # subclass that replaces `objects` declares it `ClassVar` too (or ignores [misc]).
    objects: ClassVar[MultisyncManager[Self]] = MultisyncManager()

    if TYPE_CHECKING:
        # For checkers without the multisync mypy plugin (which gives every model
        # `a`): `question.a.<name>` is then a `Coroutine[Any, Any, Any]`.
        a: ClassVar[AsyncRelationsAccessor]

    class Meta:
        abstract = True

    @classmethod
    def check(cls, **kwargs: Any) -> list[CheckMessage]:
        """Django's model checks, and multisync.E001 unless a manager reports it."""
        errors = super().check(**kwargs)
        if not any(isinstance(m, MultisyncManager) for m in cls._meta.managers):
            errors += installed_errors(cls)
        return errors
