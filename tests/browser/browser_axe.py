"""The axe-core accessibility audit run inside the page, and a readable report of what it found."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Page

AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.0, 2.1 and 2.2, levels A and AA: what the NHS service standard asks for.
AXE_URL = "/__axe-core__/axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

#: Findings of axe itself that are wrong, each as (rule, a CSS class the offending node carries): only that
#: rule on that node is ignored. nhsuk-frontend's enhanced file upload names its button by "label + itself"
#: (as govuk-frontend does), so the name holds every visible word; axe joins the button's status and
#: "Choose file" spans without a space ("No file chosenChoose file") and then cannot find that text in the name.
#: Chromium's name for it is "Project documents , No file chosen Choose file or drop file".
FALSE_POSITIVES = {("label-content-name-mismatch", "nhsuk-file-upload__drop-button")}


def audit(page: Page) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it is now (after any script has run)."""
    assert AXE_JS.exists(), f"{AXE_JS} is missing: run `make test` (npm install brings axe-core)"
    # Loaded from the page's own origin (answered here, never by the app): the site's Content-Security-Policy
    # refuses inline scripts, and the audit must run under that policy, not with it switched off.
    page.route(f"**{AXE_URL}", lambda route: route.fulfill(path=str(AXE_JS), content_type="text/javascript"))
    page.add_script_tag(url=AXE_URL)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_TAGS,
    )
    return [kept for kept in map(without_false_positives, result["violations"]) if kept["nodes"]]


def without_false_positives(violation: dict[str, Any]) -> dict[str, Any]:
    def known(node: dict[str, Any]) -> bool:
        return any(rule == violation["id"] and marker in node["html"] for rule, marker in FALSE_POSITIVES)
    return {**violation, "nodes": [node for node in violation["nodes"] if not known(node)]}


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
