"""Development settings for the sample Relais site (relative URLs, nothing published)."""

import relais

AUTHOR = "Maëlle Garnier"
SITENAME = "Atelier Maëlle"
SITEURL = ""
SITESUBTITLE = "Céramique tournée à la main, racontée pas à pas"

PATH = "content"
ARTICLE_PATHS = ["posts"]
PAGE_PATHS = ["pages"]
STATIC_PATHS = ["images", "extra/robots.txt"]
EXTRA_PATH_METADATA = {"extra/robots.txt": {"path": "robots.txt"}}
THEME = relais.THEME  # the theme inside the installed package
# Templates do not change during one build: skip Jinja's per-include file check.
JINJA_ENVIRONMENT = {"auto_reload": False}

TIMEZONE = "Europe/Paris"
DEFAULT_LANG = "fr"
DEFAULT_DATE_FORMAT = "%Y-%m-%d"

PLUGINS = ["relais.plugins.core", "relais.plugins.checks", "relais.plugins.maker_stories",
           "relais.plugins.images", "relais.plugins.feeds", "relais.plugins.blogroll"]

# Webmentions: sent, with tombstones (docs/webmentions-outgoing.md), and received, shown under
# each post (docs/webmentions-incoming.md); git dates (docs/publishing.md)
PLUGINS += ["relais.plugins.webmentions", "relais.plugins.git_dates"]
# Partners who agreed to be featured, on the blogroll page (docs/relays.md); the relationship
# ledger itself is private and never read by the build
PLUGINS += ["relais.plugins.relays"]

# Pretty, stable URLs: /2026/slug/ ; translations under /en/2026/slug/
ARTICLE_URL = "{date:%Y}/{slug}/"
ARTICLE_SAVE_AS = "{date:%Y}/{slug}/index.html"
ARTICLE_LANG_URL = "{lang}/{date:%Y}/{slug}/"
ARTICLE_LANG_SAVE_AS = "{lang}/{date:%Y}/{slug}/index.html"
DRAFT_URL = "drafts/{slug}/"
DRAFT_SAVE_AS = "drafts/{slug}/index.html"
DRAFT_LANG_URL = "drafts/{lang}/{slug}/"
DRAFT_LANG_SAVE_AS = "drafts/{lang}/{slug}/index.html"
PAGE_URL = "{slug}/"
PAGE_SAVE_AS = "{slug}/index.html"
PAGE_LANG_URL = "{lang}/{slug}/"
PAGE_LANG_SAVE_AS = "{lang}/{slug}/index.html"
CATEGORY_URL = "categorie/{slug}/"
CATEGORY_SAVE_AS = "categorie/{slug}/index.html"
CATEGORIES_URL = "categories/"
CATEGORIES_SAVE_AS = "categories/index.html"
TAG_URL = "tag/{slug}/"
TAG_SAVE_AS = "tag/{slug}/index.html"
TAGS_URL = "tags/"
TAGS_SAVE_AS = "tags/index.html"
AUTHOR_URL = "auteur/{slug}/"
AUTHOR_SAVE_AS = "auteur/{slug}/index.html"
AUTHORS_URL = "auteurs/"
AUTHORS_SAVE_AS = "auteurs/index.html"
ARCHIVES_URL = "archives/"
ARCHIVES_SAVE_AS = "archives/index.html"
YEAR_ARCHIVE_URL = "{date:%Y}/"
YEAR_ARCHIVE_SAVE_AS = "{date:%Y}/index.html"
INDEX_SAVE_AS = "index.html"
DIRECT_TEMPLATES = ["index", "categories", "tags", "authors", "archives"]
DISPLAY_CATEGORIES_ON_MENU = False  # the categories are in the footer

DEFAULT_PAGINATION = 10
PAGINATION_PATTERNS = (
    (1, "{url}", "{save_as}"),
    (2, "{base_name}/page/{number}/", "{base_name}/page/{number}/index.html"),
)
SUMMARY_MAX_LENGTH = 50

# Pelican's own feed writer stays off: the feeds plugin writes them (with feedgen).
FEED_ALL_ATOM = None
FEED_ALL_RSS = None
CATEGORY_FEED_ATOM = None
CATEGORY_FEED_RSS = None
TRANSLATION_FEED_ATOM = None
TRANSLATION_FEED_RSS = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
TAG_FEED_ATOM = None
TAG_FEED_RSS = None

# Feeds (plugins/feeds, docs/feeds.md): written only where SITEURL is absolute (publishconf).
FEEDS_FOLLOW_PAGES = {"fr": "suivre/", "en": "en/follow/"}
FEEDS_ID_AUTHORITY = "atelier-maelle.example,2026"

RELATIVE_URLS = True
DELETE_OUTPUT_DIRECTORY = True

# Relais settings (see the README's table)
AUTHOR_CARD = {
    "name": "Maëlle Garnier",
    "photo": "images/avatar.svg",
    "note": "Céramiste à Nantes. Je tourne des bols et des tasses en grès, "
    "et je raconte comment, matériaux et ratés compris.",
}
REL_ME = [
    ("Mastodon", "https://mastodon.example/@maelle"),
    ("GitHub", "https://github.example/maelle-garnier"),
]
NOTES_CATEGORY = "Notes"
# Pieces (docs/writing.md): "write to me about this piece" opens a mail to this address.
PIECES_CONTACT = "bonjour@atelier-maelle.example"

# The blogroll (plugins/blogroll, docs/blogroll.md): the public address counts as "us"
# when looking for who links back, even in development where SITEURL is "".
BLOGROLL_OWN_URLS = ["https://atelier-maelle.example/"]
BLOGROLL_SHOW_MUTUAL = True

# Received Webmentions (plugins/webmentions, docs/webmentions-incoming.md): the archive in
# data/webmentions/ is shown under each post; `relais mentions fetch` updates it.
WEBMENTIONS_ENDPOINT = "https://webmention.io/atelier-maelle.example/webmention"
WEBMENTIONS_DOMAINS = ["atelier-maelle.example"]
