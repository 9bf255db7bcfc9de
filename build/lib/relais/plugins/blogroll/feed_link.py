"""`<source:blogroll>` in every RSS channel, pointing at our `/blogroll.opml`, through the
feeds plugin's `ChannelExtra` hook (only when the feeds plugin is in PLUGINS and the
feeds have an absolute base; the element needs an absolute URL)."""

from __future__ import annotations

SOURCE_NS = "http://source.scripting.com/"
_CURRENT: dict[str, str | None] = {"url": None}  # this build's OPML address


def _add(channel) -> None:
    from lxml import etree

    if _CURRENT["url"]:
        etree.SubElement(channel, f"{{{SOURCE_NS}}}blogroll").text = _CURRENT["url"]


def install(settings, opml_path: str) -> None:
    """Register the hook once per process; set (or clear) this build's URL."""
    _CURRENT["url"] = None
    if not any(str(p).endswith("relais.plugins.feeds") for p in settings.get("PLUGINS") or []):
        return
    try:
        from relais.plugins.feeds import pelican as feeds
        from relais.plugins.feeds.xmlfeeds import ChannelExtra
    except ImportError:
        return
    base = feeds.feed_base(settings)
    if not base:
        return
    _CURRENT["url"] = f"{base}/{opml_path}"
    if not any(getattr(extra, "add", None) is _add for extra in feeds.RSS_EXTRAS):
        feeds.RSS_EXTRAS.append(ChannelExtra(_add, {"source": SOURCE_NS}))
