"""Produce the sample site's fictional ledger, scripts/sample_ledger.json, with the real
`relais relays` commands: what the sample's sources hold (blogroll, received mentions,
stories), plus what Maëlle would add by hand. Every date is the sample's fixed "now".

    .venv/bin/python scripts/sample_ledger.py
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LEDGER = REPO / "scripts" / "sample_ledger.json"
NOW = "2026-11-20T09:00:00+00:00"
ABOUT = ("Fictional sample: the relationship ledger of Maëlle Garnier, a ceramist who does not "
         "exist, and of people and businesses who do not exist either (every site is "
         "*.example). Made by scripts/sample_ledger.py.")

STEPS = [
    ("add", "Rose Martin", "--rel", "met", "--note",
     "Rencontrée au marché de Noël : paniers en osier, cherche des céramistes pour un stand."),
    ("add", "La Boutique du Port", "--site", "https://boutique-port.example/", "--note",
     "Concept store sur le port ; m'a écrit après la portes ouvertes."),
    ("stage", "jeanne-potier.example", "collaborating"),
    ("stage", "theo-marchal.example", "collaborating"),
    ("stage", "lou-tisse.example", "talking"),
    ("note", "theo-marchal.example", "Plateaux livrés ; refaire une série pour Noël ?"),
    ("keep", "https://camille-riviere.example/"),
    ("propose", "https://boutique-port.example/", "--kind", "stock-mine", "--offline",
     "--summary", "Prendre 12 tasses de Laisse de mer en dépôt-vente", "--cost-hours", "6",
     "--cost", "deux allers-retours au port", "--next", "Envoyer les prix de gros avant vendredi"),
]


def main() -> None:
    LEDGER.unlink(missing_ok=True)
    for step in STEPS:
        subprocess.run([sys.executable, "-m", "relais.cli", "relays", "--ledger", str(LEDGER),
                        "--now", NOW, *step], cwd=REPO, check=True, stdout=subprocess.DEVNULL)
    data = json.loads(LEDGER.read_text(encoding="utf-8"))
    data["about"] = ABOUT
    LEDGER.write_text(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n",
                      encoding="utf-8")
    print(f"wrote {LEDGER.relative_to(REPO)} ({len(data['people'])} people)")


if __name__ == "__main__":
    main()
