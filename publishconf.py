"""Production settings: everything in pelicanconf, with absolute URLs for the real domain."""

import os
import sys

sys.path.append(os.path.dirname(os.path.abspath(__file__)))

from pelicanconf import *  # noqa: E402,F403

# An unset or empty RELAIS_SITEURL (a CI secret nobody set) keeps the configured address.
SITEURL = os.environ.get("RELAIS_SITEURL") or "https://atelier-maelle.example"
RELATIVE_URLS = False
DELETE_OUTPUT_DIRECTORY = True
AUTHOR_CARD = {**AUTHOR_CARD, "url": SITEURL + "/"}  # noqa: F405

# Publishing (docs/publishing.md): `relais publish` commits the built site to the
# gh-pages branch of this repository's origin, then sends the Webmentions it owes.
PUBLISH_TO = "git"
PUBLISH_GIT_REPOSITORY = "origin"
PUBLISH_GIT_BRANCH = "gh-pages"
# MODIFIED_FROM_GIT = True  # off here: the sample's posts keep the dates their story tells
