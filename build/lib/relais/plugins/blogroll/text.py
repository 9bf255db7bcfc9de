"""Words for affinity: French and English text to comparable terms, without a language model.

Terms are lower-cased, accents folded for matching ("céramique" and
"ceramique" meet), stop words of both languages dropped, and a light plural
fold applied ("tasses" → "tasse", "glazes" → "glaze"). The surface form most
seen is kept so that shared terms are shown as people wrote them.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

STOP_FR = """
a à afin ai aie aient ainsi alors après as au aucun aujourd aussi autre autres aux avait avant
avec avoir bien bon c ça car ce ceci cela celle celles celui cependant ces cet cette ceux chaque
chez comme comment d dans de depuis des deux dire dit doit donc dont du elle elles en encore entre
est et été être eu fait faire fois font ici il ils j je jour jusqu l la là le les leur leurs lui
m ma mais me même mes moi moins mon n ne ni non nos notre nous on ont ou où par parce pas peu
peut plus pour pourquoi quand que quel quelle quelles quels qui quoi s sa sans se sera ses si
sien son sont sous suis sur t ta te tes toi ton tous tout toute toutes très tu un une unes uns
vers voici voilà vos votre vous y déjà fut avez avons étais était étaient puis tant quelques
chose choses rien cet ans an mois semaine fois premier première dernier dernière
un deux trois quatre cinq six sept huit neuf dix onze douze vingt trente cent mille
"""
STOP_EN = """
a about above after again against all also am an and any are as at be because been before being
below between both but by can could did do does doing down during each few for from further had
has have having he her here hers herself him himself his how i if in into is it its itself just
me more most my myself no nor not now of off on once only or other our ours ourselves out over
own same she should so some such than that the their theirs them themselves then there these
they this those through to too under until up very was we were what when where which while who
whom why will with would you your yours yourself yourselves one two first last new get got make
made like really much many every still back way year years week day days time
three four five six seven eight nine ten eleven twelve twenty hundred thousand
"""
STOP = {word for word in (STOP_FR + STOP_EN).split()}
WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*", re.UNICODE)


def fold(word: str) -> str:
    """Lower case, accents off: the key two spellings meet on."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


STOP_FOLDED = {fold(word) for word in STOP}


def stem(key: str) -> str:
    """A light plural fold for French and English."""
    if len(key) > 4 and key.endswith(("s", "x")) and not key.endswith(("ss", "us", "is")):
        return key[:-1]
    return key


def terms(text: str) -> list[tuple[str, str]]:
    """(key, surface) pairs of the meaningful words of a text."""
    found = []
    for match in WORD.finditer(text or ""):
        word = match.group(0).lower()
        for part in re.split(r"['’]", word):  # l'émail, d'atelier
            key = fold(part)
            if len(key) < 3 or key in STOP_FOLDED:
                continue
            found.append((stem(key), part))
    return found


class Profile:
    """Weighted term counts of one person's writing, with the surface forms seen."""

    def __init__(self):
        self.counts: Counter[str] = Counter()
        self.surfaces: dict[str, Counter[str]] = {}

    def add(self, text: str, weight: float = 1.0) -> Profile:
        for key, surface in terms(text):
            self.counts[key] += weight
            self.surfaces.setdefault(key, Counter())[surface] += 1
        return self

    def surface(self, key: str) -> str:
        forms = self.surfaces.get(key)
        return forms.most_common(1)[0][0] if forms else key

    def __bool__(self) -> bool:
        return bool(self.counts)


def entry_profile(entries: list[dict], extra: list[str] = ()) -> Profile:
    """A creator's profile from titles (×2), tags (×3) and summaries of their recent entries."""
    profile = Profile()
    for entry in entries:
        profile.add(entry.get("title", ""), 2.0)
        profile.add(" ".join(entry.get("tags") or []), 3.0)
        profile.add(entry.get("summary", ""), 1.0)
    for text in extra:
        profile.add(text, 1.0)
    return profile
