"""Autoescape for every template: what is not `Markup` is escaped when it is shown.

Relais shows other people's words (mentions, the blogroll, discovery), so
the Jinja environment of every generator escapes every value by default; a
template never depends on a hand-written `|e`. What is already HTML reaches
the templates as `Markup`, made by the code that produced or sanitised it:

- the owner's own posts and pages as Pelican made them from her Markdown:
  `content`, `summary`, `title` and the other `FORMATTED_FIELDS` of every
  Pelican content object (Pelican's convention: they are HTML, and its own
  themes print them raw);
- `SITENAME` and `SITESUBTITLE` (HTML in Pelican's convention too);
- the theme's own strings from its catalogs (`_()`);
- mentions' content, cut down by nh3 (`relais.foreign.html`) when the archive is read.

Everything else (names, notes, URLs, titles from other sites, settings) is
escaped on output.

The `text` filter gives the text of some HTML for a text node or a
double-quoted attribute (`<title>`, one-line summaries): tags removed,
entities decoded, then `&`, `<`, `>` and `"` escaped again, so that
`&lt;script&gt;` shown as code in a post stays text (Jinja's `striptags`
alone turns it back into a tag). Apostrophes are left as written, as
Markdown writes them. No module here imports Pelican: the glue passes Pelican's
content class in.
"""

from __future__ import annotations

from markupsafe import Markup

TRUSTED_FIELDS = ("content", "summary", "title")
OWNER_HTML_SETTINGS = ("SITENAME", "SITESUBTITLE")
_INSTALLED = "_relais_autoescape"


def trusted_fields(settings: dict) -> frozenset[str]:
    """Attributes of a Pelican content object that hold the owner's HTML."""
    formatted = settings.get("FORMATTED_FIELDS") or ()
    return frozenset(TRUSTED_FIELDS) | {str(name).lower() for name in formatted}


def html_text(value) -> Markup:
    """The text of `value` (HTML) as Markup safe in a text node or a double-quoted attribute."""
    text = Markup(str(value)).striptags()
    for char, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&#34;")):
        text = text.replace(char, entity)
    return Markup(text)


def install(env, context: dict, content_class: type, fields: frozenset[str]) -> None:
    """Turn autoescape on in `env`; mark the owner's HTML (see the module's doc) as Markup."""
    env.autoescape = True
    env.filters["text"] = html_text
    for name in OWNER_HTML_SETTINGS:
        value = context.get(name)
        if isinstance(value, str) and not isinstance(value, Markup):
            context[name] = Markup(value)
    if getattr(env, _INSTALLED, False):
        return
    plain_getattr = env.getattr

    def getattr_marking_content(obj, attribute):
        value = plain_getattr(obj, attribute)
        if attribute in fields and isinstance(obj, content_class) and isinstance(value, str):
            return Markup(value)
        return value

    env.getattr = getattr_marking_content
    setattr(env, _INSTALLED, True)
