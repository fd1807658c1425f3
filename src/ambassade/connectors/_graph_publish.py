"""What Instagram's and Threads' publishers share: Meta's two-step publishing through a media
container (docs in :mod:`ambassade.connectors.instagram.publish` and
:mod:`ambassade.connectors.threads.publish`).

A subclass names its credential, its edges and its container's status fields, gives its error map
(``_error_map``) and the explanation of a container's error (``_explain``), checks its draft and
prepares its container (``_prepare``); this class does the rest: the credentials, the quota read
before publishing, the containers kept across attempts and their polling, the one call that
publishes, and what a lost answer to it became.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from ambassade.connectors import _graph
from ambassade.connectors._text import as_int
from ambassade.connectors.base import (
    AuthExpired,
    Connector,
    ConnectorError,
    Credentials,
    Draft,
    MediaUpload,
    Published,
    RawItem,
)
from ambassade.connectors.http import OutcomeUnknown, Response

__all__ = ["QUOTA_WAIT", "RECONCILE_MARGIN", "ContainerPublisher"]

#: How long before a lost call its post may be dated (clocks differ).
RECONCILE_MARGIN = timedelta(minutes=5)
#: Seconds to wait after the 24-hour publishing quota is used up (it rolls; one hour frees a slot
#: in the usual case of posts spread over the day).
QUOTA_WAIT = 3600.0


class ContainerPublisher(Connector):
    """A publisher through Meta's media containers. Subclasses set the class attributes below and
    define ``_error_map``, ``_explain``, ``recent_posts`` and ``publish`` (which checks the draft,
    calls ``_start``, then ``_publish_prepared`` with its way of preparing the container)."""

    needs_credentials: ClassVar[bool] = True
    idempotent: ClassVar[bool] = False
    idempotency_window: ClassVar[int] = 0
    #: Longest wait for a container to be ready, in seconds (well within the outbox's ten minutes).
    max_wait: ClassVar[float] = 120.0
    api_version: ClassVar[str] = ""
    #: The credential naming the account (``ig_user_id``, ``threads_user_id``).
    user_field: ClassVar[str] = ""
    #: What the network calls the account, in the English texts of the errors.
    user_word: ClassVar[str] = "account"
    #: The network's name with its possessive ("Instagram's", "Threads'").
    possessive: ClassVar[str] = ""
    #: What a container holds, in the English texts of the errors ("media", "post").
    container_word: ClassVar[str] = "media"
    #: The edges below the account: the quota, the containers, the call that publishes.
    quota_edge: ClassVar[str] = ""
    container_edge: ClassVar[str] = ""
    publish_edge: ClassVar[str] = ""
    #: Most images or videos in one post, and that post's name in the English texts.
    max_items: ClassVar[int] = 0
    carousel_words: ClassVar[str] = ""
    #: A container's fields: its state, and what explains an error.
    status_field: ClassVar[str] = "status_code"
    detail_field: ClassVar[str] = "status"

    refreshed: dict[str, Any] | None = None

    def __init__(self, *args: Any, sleep: Callable[[float], None] = time.sleep, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.sleep = sleep
        #: Containers created by the last publish, newest last (shown in its error if it fails).
        self.containers: list[str] = []
        self._kept = _graph.KeptContainers(Draft("", ""))

    # --- what each network gives ------------------------------------------------------------------

    def _error_map(self, response: Response, message: str) -> ConnectorError | None:
        raise NotImplementedError

    def _explain(self, detail: str) -> tuple[str, str, bool]:
        """A container's error detail as (message code, words, permanent)."""
        raise NotImplementedError

    def recent_posts(self, credentials: Credentials, since: datetime) -> Sequence[RawItem]:
        raise NotImplementedError

    # --- the account ------------------------------------------------------------------------------

    def _creds(self, credentials: Credentials) -> Mapping[str, Any]:
        if not credentials or not credentials.get("access_token"):
            raise AuthExpired(
                f"The {self.label} connection has no access token.",
                code="connection.no_token",
                params={"network": self.label},
            )
        if not credentials.get(self.user_field):
            raise ConnectorError(
                f"The {self.label} connection names no {self.user_word}.",
                permanent=True,
                code="connection.no_account",
                params={"network": self.label},
            )
        return credentials

    def _base(self, creds: Mapping[str, Any]) -> str:
        root = str(creds.get("graph_url") or self.endpoints["api"]).rstrip("/")
        return f"{root}/{creds.get('api_version') or self.api_version}"

    def _user(self, creds: Mapping[str, Any]) -> str:
        return f"{self._base(creds)}/{creds[self.user_field]}"

    def upload_media(self, credentials: Credentials, media: MediaUpload) -> str:
        self._creds(credentials)
        return _graph.media_handle(media, self.label)

    def _check_quota(self, creds: Mapping[str, Any]) -> None:
        try:
            body = self.http.get(
                f"{self._user(creds)}/{self.quota_edge}",
                params={"fields": "quota_usage,config", "access_token": creds["access_token"]},
                error_map=self._error_map,
            ).json()
        except AuthExpired:
            raise
        except ConnectorError:
            return  # a courtesy check: the call that publishes enforces the quota anyway
        data = body.get("data") if isinstance(body, Mapping) else None
        row = data[0] if isinstance(data, list) and data else None
        if not isinstance(row, Mapping):
            return
        config = row.get("config")
        used = as_int(row.get("quota_usage"))
        total = as_int(config.get("quota_total")) if isinstance(config, Mapping) else None
        if used is not None and total is not None and used >= total:
            raise ConnectorError(
                f"This {self.label} {self.user_word} has published {used} posts in 24 hours, "
                f"{self.possessive} limit is {total}; Ambassade will try again later.",
                permanent=False,
                retry_after=QUOTA_WAIT,
                code="graph.quota_used",
                params={"network": self.label, "used": used, "limit": total},
            )

    # --- containers -------------------------------------------------------------------------------

    def _container(
        self, creds: Mapping[str, Any], params: Mapping[str, Any], *, publishes: bool = True
    ) -> str:
        key = _graph.container_key(str(creds[self.user_field]), params)

        def create() -> str:
            body = self.http.post(
                f"{self._user(creds)}/{self.container_edge}",
                data={**params, "access_token": creds["access_token"]},
                error_map=self._error_map,
                retry=True,  # an unpublished container is harmless; it expires after 24 hours
            ).json()
            if not isinstance(body, Mapping) or not body.get("id"):
                raise ConnectorError(
                    f"{self.label} answered without the prepared {self.container_word}'s id.",
                    code="connector.bad_answer",
                    params={"network": self.label},
                )
            return str(body["id"])

        container = self._kept.reuse_or_create(
            key, lambda c: self._status(creds, c), create, publishes=publishes
        )
        self.containers.append(container)
        return container

    def container_status(self, credentials: Credentials, container: str) -> str:
        """The container's state (``IN_PROGRESS``, ``FINISHED``, ``PUBLISHED``, ``EXPIRED``,
        ``ERROR``): how the outbox settles a lost call that publishes."""
        return self._status(self._creds(credentials), container)

    def _status(self, creds: Mapping[str, Any], container: str) -> str:
        body = self.http.get(
            f"{self._base(creds)}/{container}",
            params={"fields": self.status_field, "access_token": creds["access_token"]},
            error_map=self._error_map,
        ).json()
        return str(body.get(self.status_field) or "") if isinstance(body, Mapping) else ""

    def _wait(self, creds: Mapping[str, Any], container: str) -> None:
        def read() -> tuple[str, str]:
            body = self.http.get(
                f"{self._base(creds)}/{container}",
                params={
                    "fields": f"{self.status_field},{self.detail_field}",
                    "access_token": creds["access_token"],
                },
                error_map=self._error_map,
            ).json()
            if not isinstance(body, Mapping):
                return "", ""
            return str(body.get(self.status_field) or ""), str(body.get(self.detail_field) or "")

        _graph.wait_for_container(
            read, label=self.label, sleep=self.sleep, max_wait=self.max_wait, explain=self._explain
        )

    # --- publishing -------------------------------------------------------------------------------

    def _start(self, credentials: Credentials, draft: Draft) -> Mapping[str, Any]:
        """The credentials, and this draft's containers: those kept from earlier attempts."""
        creds = self._creds(credentials)
        self.containers = []
        self._kept = _graph.KeptContainers(draft)
        return creds

    def _media_items(self, draft: Draft) -> list[dict[str, str]]:
        """The draft's media, read from their handles; a post in several parts, or with more
        media than a carousel holds, is refused."""
        if len(draft.media_ids) > self.max_items:
            raise ConnectorError(
                f"{self.carousel_words} holds at most {self.max_items} images or videos.",
                permanent=True,
                code="graph.carousel_too_long",
                params={"network": self.label, "limit": self.max_items},
            )
        if draft.thread:
            raise ConnectorError(
                f"Ambassade does not post a text in several parts to {self.label}.",
                permanent=True,
                code="connector.no_threads",
                params={"network": self.label},
            )
        return [_graph.read_handle(value, self.label) for value in draft.media_ids]

    def _publish_prepared(
        self, creds: Mapping[str, Any], text: str, prepare: Callable[[], str]
    ) -> Published:
        """Read the quota, ``prepare()`` the container (ready), publish it: the only call that
        publishes. A lost answer is settled from the container's state and the recent posts."""
        self._check_quota(creds)
        try:
            container = prepare()
        except _graph.AlreadyPublished as done:
            return self._published_earlier(creds, done, text)
        started = datetime.now(UTC)
        try:
            body = self.http.post(
                f"{self._user(creds)}/{self.publish_edge}",
                data={"creation_id": container, "access_token": creds["access_token"]},
                error_map=self._error_map,
            ).json()
        except OutcomeUnknown:
            found = self._published_from(creds, container, text, started)
            if found is None:
                raise
            return found
        if not isinstance(body, Mapping) or not body.get("id"):
            raise ConnectorError(
                f"{self.label} answered without the published post's id.",
                code="connector.bad_answer",
                params={"network": self.label},
            )
        media_id = str(body["id"])
        return Published(media_id, self._permalink(creds, media_id), datetime.now(UTC))

    def _published_earlier(
        self, creds: Mapping[str, Any], done: _graph.AlreadyPublished, text: str
    ) -> Published:
        found = self._published_from(creds, done.container, text, done.created)
        if found is None:
            raise OutcomeUnknown(
                f"{self.label} says an earlier attempt published this post, but it is not among "
                f"the {self.user_word}'s recent posts yet.",
                permanent=False,
                code="graph.published_not_listed",
                params={"network": self.label},
            )
        return found

    def _published_from(
        self, creds: Mapping[str, Any], container: str, text: str, started: datetime
    ) -> Published | None:
        """After a lost answer to the call that publishes: a container is published at most once,
        and its state says whether it was. If it was, the post is the only one with this text
        since the attempt; if it was not, nothing can be read now, or several posts fit, None
        (the outbox reconciles later, never resends)."""
        try:
            status = self.http.get(
                f"{self._base(creds)}/{container}",
                params={"fields": self.status_field, "access_token": creds["access_token"]},
                error_map=self._error_map,
            ).json()
            if not isinstance(status, Mapping) or status.get(self.status_field) != "PUBLISHED":
                return None
            items = self.recent_posts(creds, started - RECONCILE_MARGIN)
        except ConnectorError:
            return None
        same = [item for item in items if item.text.strip() == text.strip()]
        if len(same) != 1:
            # Two posts alike (two without a caption, say) cannot be told apart here: the outbox
            # does it, knowing which posts its other variants already are.
            return None
        return Published(same[0].external_id, same[0].url, same[0].created_at)

    def _permalink(self, creds: Mapping[str, Any], media_id: str) -> str:
        """The post's address; the post is out already, so a failure here leaves it blank."""
        try:
            body = self.http.get(
                f"{self._base(creds)}/{media_id}",
                params={"fields": "permalink", "access_token": creds["access_token"]},
                error_map=self._error_map,
            ).json()
        except ConnectorError:
            return ""
        return str(body.get("permalink") or "") if isinstance(body, Mapping) else ""
