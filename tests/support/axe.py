"""axe-core, the accessibility checker, run inside a Playwright page.

axe-core comes from the npm registry as a test-only tool (`tests/js/package.json`,
installed by `make test`). Without it the accessibility tests are skipped, except
when RELAIS_REQUIRE_BROWSER=1 (CI), where a missing axe is a failure.
RELAIS_AXE_JS may name another copy of `axe.min.js`.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

BUNDLED = Path(__file__).resolve().parent.parent / "js" / "node_modules" / "axe-core" / "axe.min.js"


def axe_script() -> Path:
    """The axe.min.js to inject, or skip (fail in CI) when there is none."""
    path = Path(os.environ.get("RELAIS_AXE_JS") or BUNDLED)
    if path.is_file():
        return path
    if os.environ.get("RELAIS_REQUIRE_BROWSER") == "1":
        pytest.fail(f"RELAIS_REQUIRE_BROWSER=1 but axe-core is missing at {path} "
                    "(make test installs it with npm from tests/js/package.json)")
    pytest.skip(f"no axe-core at {path}")


def axe_violations(page) -> list[str]:
    """Run axe on the loaded page; one line per violation: rule, impact, first offending nodes."""
    page.add_script_tag(path=str(axe_script()))
    found = page.evaluate("""async () => (await axe.run(document, {resultTypes: ['violations']}))
        .violations.map(v => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3)
            .map(n => n.target.join(' ')).join(', ')}`)""")
    return list(found)
