"""The axe-core accessibility audit run inside the page, and a readable report of what it found."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Page

AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.0, 2.1 and 2.2, levels A and AA: what the NHS service standard asks for.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def audit(page: Page) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it is now (after any script has run)."""
    assert AXE_JS.exists(), f"{AXE_JS} is missing: run `make test` (npm install brings axe-core)"
    page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_TAGS,
    )
    return result["violations"]


def describe(violations: list[dict[str, Any]], url: str) -> str:
    """One paragraph per rule broken: its impact, what it means, where to read more and each offending node."""
    lines = [f"{len(violations)} accessibility rule(s) broken on {url}:"]
    for violation in violations:
        lines.append(f"\n[{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})")
        for node in violation["nodes"]:
            lines.append(f"  at {', '.join(map(str, node['target']))}")
            lines.append(f"     {node['html'][:200]}")
            summary = (node.get("failureSummary") or "").replace("\n", "\n     ")
            if summary:
                lines.append(f"     {summary}")
    return "\n".join(lines)


def assert_accessible(page: Page) -> None:
    violations = audit(page)
    assert not violations, describe(violations, page.url)
