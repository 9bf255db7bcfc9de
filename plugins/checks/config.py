"""The content checks' settings, with their defaults and meanings."""

from relais.settings import Setting, declare, is_bool, is_text_list

SETTINGS = (
    Setting("CONTENT_LENIENT", False, is_bool,
            "Content problems (dates, titles, unknown fields, languages, broken links, missing "
            "images) are logged as warnings instead of stopping the build; a post that cannot "
            "be read is left out. `relais build --lenient` sets it for one build."),
    Setting("CONTENT_FIELDS", [], is_text_list,
            "Metadata fields your other plugins or theme read, besides Pelican's and Relais's "
            "own (e.g. `['Og_image', 'Featured']`); any other field stops the build, naming the "
            "nearest known one."),
)
declare(*SETTINGS)
