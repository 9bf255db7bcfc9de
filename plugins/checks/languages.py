"""Is a `Lang:` value a language code? Pure.

Pelican puts a post whose language is not `DEFAULT_LANG` under `/<lang>/`:
`Lang: francais` moves the post to `/francais/...` and `Lang: FR` is another
language than `fr`. A language is an ISO 639-1 code in lower case, with an
optional region (`fr`, `en`, `pt-BR`).
"""

from __future__ import annotations

import difflib
import re

ISO_639_1 = frozenset("""
aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy
da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu
hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb
lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om
or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw
ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu
""".split())

# Language names people write instead of the code, in French and English.
NAMES = {
    "français": "fr", "francais": "fr", "french": "fr", "anglais": "en", "english": "en",
    "allemand": "de", "german": "de", "deutsch": "de", "espagnol": "es", "spanish": "es",
    "español": "es", "italien": "it", "italian": "it", "italiano": "it", "portugais": "pt",
    "portuguese": "pt", "português": "pt", "néerlandais": "nl", "dutch": "nl", "breton": "br",
    "occitan": "oc", "catalan": "ca", "basque": "eu", "japonais": "ja", "japanese": "ja",
    "chinois": "zh", "chinese": "zh", "arabe": "ar", "arabic": "ar", "russe": "ru",
    "russian": "ru", "polonais": "pl", "polish": "pl", "suédois": "sv", "swedish": "sv",
}
TAG = re.compile(r"(?P<code>[a-z]{2})(?:[-_](?P<region>[A-Za-z]{2}|[0-9]{3}|[A-Za-z]{4}))?")


def nearest_language(value: str) -> str | None:
    lowered = value.strip().lower()
    if lowered in NAMES:
        return NAMES[lowered]
    match = TAG.fullmatch(value.strip()[:2].lower() + value.strip()[2:])
    if match and match["code"] in ISO_639_1:
        return match[0]
    close = difflib.get_close_matches(lowered, NAMES, n=1, cutoff=0.8)
    return NAMES[close[0]] if close else None


def language_problem(value: str) -> str | None:
    """What is wrong with a `Lang:` value, or None."""
    text = value.strip()
    match = TAG.fullmatch(text)
    if match and match["code"] in ISO_639_1:
        return None
    guess = nearest_language(text)
    if guess and guess != text:
        how = "in lower case" if guess == text.lower() else "as a two-letter code"
        return f"'{text}' is not a language code: write it {how}, {guess}"
    return (f"'{text}' is not a language code: write a two-letter ISO 639-1 code, "
            f"such as fr or en (with a region if needed: pt-BR)")
