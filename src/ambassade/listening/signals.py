"""A source's stored file goes with the source, however the source is deleted (one by one, or with
its workspace)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from ambassade.listening import uploads
from ambassade.listening.models import Source


@receiver(post_delete, sender=Source, dispatch_uid="listening.delete_source_upload")
def delete_source_upload(sender: Any, instance: Source, **kwargs: Any) -> None:
    source_id = instance.pk
    if source_id is not None:
        transaction.on_commit(lambda: uploads.delete(source_id))
