"""A small world for outgoing-Webmention tests: a receiver site on 127.0.0.1 and our built site.

The receiver serves target pages that advertise its endpoint; the endpoint
records each POST and, like a real receiver, fetches the source to see
whether it still links to the target or says 410 Gone.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from relais.plugins.webmentions import dispatch, owed, sentlog
from relais.plugins.webmentions.owed import BuildResult

from relais.build import build, load_settings
from tests.support.local_http import LocalServer


@dataclass
class Mention:
    source: str
    target: str
    form: dict
    source_gone: bool
    source_links: bool


@dataclass
class Receiver:
    server: LocalServer
    received: list[Mention] = field(default_factory=list)

    def target(self, path: str, endpoint: str = "/webmention") -> str:
        return self.server.html(path, f'<html><head><link rel="webmention" href="{endpoint}">'
                                      f"</head><body><h1>{path}</h1></body></html>")

    def endpoint(self, path: str = "/webmention", status: int = 202, headers=(),
                 delay: float = 0.0) -> None:
        import time

        def reply(request, handler):
            form = {k: v[0] for k, v in request.form.items()}
            source, target = form.get("source", ""), form.get("target", "")
            local = source.startswith("http://127.0.0.1:")  # never a real network
            try:
                page = httpx.get(source, timeout=5).text if local else ""
            except httpx.HTTPError:
                page = ""  # a source that cannot be fetched neither links nor says 410
            self.received.append(Mention(source, target, form, "410 Gone" in page,
                                         f'href="{target}"' in page))
            if delay:
                time.sleep(delay)
            return status, list(headers), b""

        self.server.routes[path] = reply

    def pairs(self) -> list[tuple[str, str]]:
        return sorted((m.source, m.target) for m in self.received)

    def clear(self) -> None:
        self.received.clear()


def post(title: str, body: str, slug: str, extra: str = "") -> str:
    return (f"Title: {title}\nDate: 2026-03-01 10:00\nCategory: Atelier\nSlug: {slug}\n"
            f"{extra}\n{body}\n")


@dataclass
class Site:
    settings_file: Path
    base: str  # where its output is served

    @property
    def root(self) -> Path:
        return self.settings_file.parent

    @property
    def log_path(self) -> Path:
        return self.root / "data" / "webmentions" / "sent.json"

    def write(self, name: str, text: str) -> None:
        (self.root / "content" / "posts" / name).write_text(text, encoding="utf-8")

    def delete(self, name: str) -> None:
        (self.root / "content" / "posts" / name).unlink()

    def build(self, **overrides) -> BuildResult:
        settings = load_settings(str(self.settings_file), str(self.root / "output"),
                                 {"SITEURL": self.base, **overrides})
        build(settings)
        return owed.of_build(settings)

    def send(self, policy: sentlog.Policy | None = None, **client_options) -> dispatch.Report:
        result = self.build()
        client_options = {"allow_private": True, "timeout": 2.0, "retries": 0, **client_options}
        return asyncio.run(dispatch.send_all(
            result.log_path, result.posts, result.gone,
            policy=policy or sentlog.Policy(), client_options=client_options))

    def url(self, slug: str) -> str:
        return f"{self.base}/2026/{slug}/"


def make_site(tiny_site, serve_directory, posts: dict[str, str]) -> Site:
    settings = tiny_site(posts)
    output = settings.parent / "output"
    output.mkdir(exist_ok=True)
    return Site(settings, serve_directory(output))
