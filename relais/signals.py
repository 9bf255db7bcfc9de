"""Relais's own hooks between plugins: few, named, each with its contract here.

A plugin that offers something to another connects a receiver in its
`register()`; the plugin that needs it sends the hook and uses what the
receivers return. Receivers are process-wide (as Pelican's signals are), so a
receiver answers only from what its own plugin made for the build at hand
(its entry in the build's context, or `relais.settings.built(settings, NAME)`),
and returns None when its plugin is not part of that build.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


class Hook:
    """A named hook: `connect(receiver)` once (idempotent), `send(**kw)` returns the receivers'
    answers that are not None, in the order they were connected."""

    def __init__(self, name: str, doc: str):
        self.name = name
        self.__doc__ = doc
        self._receivers: list[Callable[..., Any]] = []

    def connect(self, receiver: Callable[..., Any]) -> Callable[..., Any]:
        if receiver not in self._receivers:
            self._receivers.append(receiver)
        return receiver

    def send(self, **arguments: Any) -> list[Any]:
        answers = [receiver(**arguments) for receiver in self._receivers]
        return [answer for answer in answers if answer is not None]


@dataclass(frozen=True)
class ChannelElement:
    """One element for an RSS `<channel>`: `<prefix:name xmlns:prefix=namespace>text</…>`."""

    namespace: str
    prefix: str
    name: str
    text: str


rss_channel = Hook(
    "rss_channel",
    "Sent by the feeds plugin for each build that writes feeds, with `settings` (Pelican's), "
    "`context` (the build's template context) and `base` (the feeds' absolute base URL). A "
    "receiver returns a ChannelElement for every RSS channel, or None. The blogroll answers "
    "`<source:blogroll>`.",
)


receiver_extensions = Hook(
    "receiver_extensions",
    "Sent by `relais receiver serve` with `settings` (the site's, loaded from its settings "
    "file). A receiver returns an extension of the receiver's app, or None: an object with "
    "`routes` (starlette Routes added to the app), `async start(context)` (a "
    "`ReceiverContext`: the database, the per-address rate limit) and `async stop()`. The "
    "fediverse plugin answers the actor, WebFinger and the inboxes.",
)
