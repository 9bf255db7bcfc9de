"""The sample site's world: Maëlle's fictional creators (and the people they lead to) as a
fleet of real local sites. Used by scripts/refresh_sample_blogroll.py to produce the
committed data/blogroll/, and by the tests as a realistic network.

Each site gets a loopback URL; `DOMAINS` says which public-looking address it stands for.
"""

from __future__ import annotations

from tests.support.fleet import Creator, Fleet, Post, publish, status

OWNER = "https://atelier-maelle.example/"
REFRESHED = "2026-11-20T08:00:00+00:00"  # the fixed "now" of the sample refresh

C = Creator
P = Post

CREATORS = [
    C(
        "jeanne-potier",
        "Jeanne Potier",
        "Céramiste à Lorient depuis trente ans. Grès, cuissons, transmission.",
        [
            P(
                "Émail céladon : ce que vingt ans de ratés m'ont appris",
                "2026-11-10",
                "Le céladon pardonne peu : épaisseur, cuisson réductrice, refroidissement. Mes notes d'émail.",  # noqa: E501
                ["émail", "céladon", "cuisson"],
                slug="2026/11/celadon",
            ),
            P(
                "Cinquante bols de la même forme",
                "2026-10-20",
                "Tourner cinquante fois le même bol en grès pour que la main apprenne.",
                ["tournage", "bols", "grès"],
                [f"{OWNER}2026/dix-personnes/"],
                slug="2026/10/cinquante-bols",
            ),
            P(
                "Mon carnet de cuisson, page par page",
                "2026-02-18",
                "Trente ans de cuissons notées dans des cahiers : la recette, le four, le résultat.",  # noqa: E501
                ["cuisson", "carnet", "transmission"],
                slug="2026/02/carnet-de-cuisson",
            ),
        ],
        lists=["theo-marchal", "lou-tisse", "camille-riviere", "growth-hacks", "vieux-moulin"],
        blogroll_form="link",
        colour="#8a4b2a",
    ),
    C(
        "theo-marchal",
        "Théo Marchal",
        "Menuisier, plateaux et planches en chêne local.",
        [
            P(
                "Des plateaux pour les bols de Maëlle",
                "2026-10-06",
                "Six plateaux en chêne huilé pour accompagner les bols en grès de l'atelier voisin.",  # noqa: E501
                ["bois", "chêne", "collaboration"],
                [f"{OWNER}2026/bols-et-plateaux/"],
                slug="2026/plateaux",
            ),
            P(
                "Affûter ses gouges",
                "2026-08-30",
                "Pierre à eau, cuir, et patience.",
                ["outils", "bois"],
                slug="2026/gouges",
            ),
            P(
                "Le chêne qui a séché cinq ans",
                "2026-06-12",
                "Bois de pays, séchage lent, fentes évitées.",
                ["bois", "séchage"],
                slug="2026/chene",
            ),
        ],
        lists=["jeanne-potier", "atelier-brume", "growth-hacks", "marc-dubois"],
        blogroll_form="rss",
        colour="#5b6b2f",
    ),
    C(
        "lou-tisse",
        "Lou Ferrand",
        "Tisserande : torchons et nappes en lin, teintures végétales.",
        [
            P(
                "Teindre le lin à la garance",
                "2026-11-02",
                "Mordançage, bain de garance, rouge brique.",
                ["teinture", "lin", "tissage"],
                slug="2026/garance",
            ),
            P(
                "Des torchons pour emballer des tasses",
                "2026-09-15",
                "Une collaboration avec une céramiste : le torchon devient l'emballage.",
                ["lin", "emballage", "collaboration"],
                slug="2026/torchons",
            ),
        ],
        lists=["camille-riviere", "nadia-dyes", "growth-hacks", "jeanne-potier"],
        blogroll_form="wellknown",
        colour="#7b3f61",
    ),
    C(
        "ines-barbier",
        "Inès Barbier",
        "Photographe : la lumière d'une fenêtre et un carton blanc.",
        [
            P(
                "Photographier une tasse sans studio",
                "2026-10-28",
                "Une fenêtre au nord, un carton, un trépied : des photos de produits honnêtes.",
                ["photo", "lumière", "produits"],
                slug="2026/tasse-sans-studio",
            ),
        ],
        lists=["growth-hacks", "salome-dessine"],
        blogroll_form="link",
        colour="#2f5b6b",
    ),
    C(
        "salome-dessine",
        "Salomé Diallo",
        "Illustratrice : étiquettes, aquarelles, lettrage.",
        [
            P(
                "Des étiquettes pour une collection de tasses",
                "2026-09-01",
                "Aquarelle et lettrage pour les étiquettes de Laisse de mer.",
                ["illustration", "étiquettes", "aquarelle"],
                slug="2026/etiquettes",
            ),
        ],
        lists=["growth-hacks", "ines-barbier"],
        blogroll_form=None,
        colour="#9a6a12",
    ),
    C(
        "la-bonne-tasse",
        "La Bonne Tasse",
        "Le café d'en bas : torréfaction lente et tasses d'artisans.",
        [
            P(
                "Nouvelle carte d'hiver",
                "2026-02-02",
                "Chocolat chaud et cafés de Colombie.",
                ["café"],
                slug="2026/hiver",
            ),
            P(
                "Nos tasses viennent d'à côté",
                "2025-12-05",
                "Des tasses tournées par des céramistes du quartier.",
                ["café", "tasses"],
                slug="2025/tasses",
            ),
        ],
        blogroll_form=None,
        colour="#4a3426",
    ),
    C(
        "four-partage",
        "Le Four Partagé",
        "Association de céramistes : deux fours, des outils et des repas partagés.",
        [
            P(
                "Portes ouvertes de décembre",
                "2026-11-14",
                "Tout l'atelier ouvre ses portes : tournage, émaillage, cuisson.",
                ["portes ouvertes", "atelier", "céramique"],
                slug="2026/portes-ouvertes",
            ),
            P(
                "Planning des cuissons d'automne",
                "2026-09-20",
                "Qui cuit quand : grès, faïence, raku.",
                ["cuisson", "four", "planning"],
                slug="2026/planning",
            ),
        ],
        lists=["jeanne-potier", "theo-marchal"],
        blogroll_form="rss",
        colour="#6b2f2f",
    ),
    # --- not followed: what discovery should find -------------------------------------
    C(
        "camille-riviere",
        "Camille Rivière",
        "Émailleuse : émaux de cendre, céladons et grès de Bretagne.",
        [
            P(
                "Un céladon à la cendre de pommier",
                "2026-11-12",
                "Cendre lavée, émail céladon, cuisson en réduction sur des tasses en grès.",
                ["émail", "céladon", "cendre", "grès"],
                slug="2026/celadon-pommier",
            ),
            P(
                "Tester douze émaux sur des carreaux",
                "2026-10-15",
                "Des tests d'émail sur carreaux de grès, une cuisson partagée, un carnet de cuisson.",  # noqa: E501
                ["émail", "tests", "cuisson", "carnet"],
                slug="2026/douze-emaux",
            ),
            P(
                "Pourquoi je tourne des tasses",
                "2026-09-10",
                "Tournage, anses et tasses en grès pour tous les jours.",
                ["tournage", "tasses", "grès"],
                slug="2026/tasses",
            ),
        ],
        lists=["jeanne-potier", "yuki-kiln", "nadia-dyes"],
        blogroll_form="link",
        colour="#3d6b5b",
    ),
    C(
        "growth-hacks",
        "Growth Hacks Daily",
        "Grow your audience 10x with proven funnels.",
        [
            P(
                f"Growth hack #{n}: optimise your funnel",
                f"2026-11-{n:02d}",
                "Audience growth, conversion funnels, viral loops and paid acquisition for creators.",  # noqa: E501
                ["marketing", "growth", "funnels"],
                slug=f"2026/hack-{n}",
            )
            for n in range(1, 19, 3)
        ],
        lists=[],
        blogroll_form=None,
        colour="#333333",
    ),
    C(
        "atelier-brume",
        "Atelier Brume",
        "Porcelaine tournée à Quimper.",
        [
            P(
                "Tourner la porcelaine fine",
                "2026-10-30",
                "Porcelaine, tournage lent, bols translucides.",
                ["porcelaine", "tournage", "bols"],
                slug="2026/porcelaine",
            ),
        ],
        blogroll_form=None,
        colour="#6b6b8a",
    ),
    C(
        "nadia-dyes",
        "Nadia Ferreira",
        "Natural dyer and weaver in Porto.",
        [
            P(
                "Madder on linen, three ways",
                "2026-10-22",
                "Natural dyes on linen: madder, mordants and weaving.",
                ["natural dyes", "linen", "weaving"],
                slug="2026/madder",
            ),
        ],
        blogroll_form=None,
        colour="#8a2f3d",
    ),
    C(
        "vieux-moulin",
        "Le Vieux Moulin",
        "Poterie de village, tenue par la même famille depuis 1950.",
        [
            P(
                "Dernière fournée avant travaux",
                "2024-05-02",
                "Le four à bois s'arrête pour un an.",
                ["four à bois", "poterie"],
                slug="2024/travaux",
            ),
        ],
        blogroll_form=None,
        colour="#6b5b3d",
    ),
    C(
        "marc-dubois",
        "Marc Dubois",
        "Ébéniste.",
        [
            P("Fermeture", "2025-01-10", "Je ferme ce site.", ["bois"], slug="2025/fin"),
        ],
        blogroll_form=None,
        colour="#444",
    ),
    C(
        "yuki-kiln",
        "Yuki Tanaka",
        "Wood-firing potter: anagama, ash glazes, celadon.",
        [
            P(
                "Ash glaze and celadon from an anagama firing",
                "2026-11-05",
                "Wood firing, natural ash glaze, celadon tests on stoneware cups.",
                ["wood firing", "ash glaze", "celadon", "stoneware"],
                slug="2026/anagama",
            ),
        ],
        blogroll_form=None,
        colour="#2f3d6b",
    ),
]

FOLLOWED = [
    "jeanne-potier",
    "theo-marchal",
    "lou-tisse",
    "ines-barbier",
    "salome-dessine",
    "la-bonne-tasse",
    "four-partage",
]
DOMAINS = {creator.slug: f"https://{creator.slug}.example/" for creator in CREATORS}
EXTRA_LISTS = {  # Jeanne and the Four Partagé list Maëlle herself
    "jeanne-potier": [("Atelier Maëlle", OWNER, f"{OWNER}feeds/all.atom.xml")],
    "four-partage": [("Atelier Maëlle", OWNER, f"{OWNER}feeds/all.atom.xml")],
}


def start(fleet: Fleet) -> dict[str, str]:
    """Publish every sample site on the fleet; returns slug -> loopback URL."""
    sites = {creator.slug: fleet.add(creator.slug) for creator in CREATORS}
    known = {c.slug: (c.name, sites[c.slug].url) for c in CREATORS}
    for creator in CREATORS:
        publish(sites[creator.slug], creator, known, EXTRA_LISTS.get(creator.slug, ()))
    sites["marc-dubois"].behaviours["/feed.xml"] = status(410, b"gone")
    return {slug: site.url for slug, site in sites.items()}
