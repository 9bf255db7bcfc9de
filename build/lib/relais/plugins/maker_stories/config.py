"""The maker_stories settings, with their defaults and meanings."""

from relais.settings import Setting, declare, is_int, is_text

SETTINGS = (
    Setting("NOTES_CATEGORY", "Notes", is_text,
            "Posts in this category are notes (short posts) rather than stories."),
    Setting("READING_SPEED", 200, is_int(50, 1000),
            "Words read per minute, for the reading time of each post."),
    Setting("SERIES_URL", "series/{slug}/", is_text, "URL of a series page."),
    Setting("SERIES_SAVE_AS", "series/{slug}/index.html", is_text, "File of a series page."),
    Setting("SERIES_INDEX_URL", "series/", is_text, "URL of the page listing every series."),
    Setting("SERIES_INDEX_SAVE_AS", "series/index.html", is_text,
            "File of the page listing every series."),
)
declare(*SETTINGS)
