"""The Relais theme, installed as `relais.theme`: `templates/`, `static/`, `translations/`.

A package only so that it ships inside the one installed name; settings use
`relais.THEME`, the folder's path.
"""

if __name__ != "relais.theme":
    raise ImportError(f"the Relais theme is imported as relais.theme, not as {__name__}")
