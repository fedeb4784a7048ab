"""The floor for bench/web.py: a bare Flask + Jinja page of the same size as a browse page (25-row table, ~26 KB).

Nothing but Flask rendering a template from data already in memory: what any page served by the same gunicorn
settings costs at least. The engine's pages are measured as a ratio of this.
"""
from __future__ import annotations

import random

from flask import Flask, render_template
from jinja2 import DictLoader

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/static/nhsuk.css"></head>
<body><header class="nhsuk-header"><div class="nhsuk-width-container nhsuk-header__container">
<a class="nhsuk-header__link" href="/">Example NHS Foundation Trust</a></div></header>
<main class="nhsuk-main-wrapper" id="maincontent"><div class="nhsuk-width-container">
<h1 class="nhsuk-heading-l">{{ title }}</h1>
<form method="get" class="nhsuk-form-group"><label class="nhsuk-label" for="q">Search</label>
<input class="nhsuk-input" id="q" name="q" type="search"></form>
<table class="nhsuk-table-responsive"><caption class="nhsuk-table__caption">{{ total }} projects</caption>
<thead class="nhsuk-table__head"><tr>{% for c in columns %}<th scope="col">{{ c }}</th>{% endfor %}</tr></thead>
<tbody class="nhsuk-table__body">
{% for r in rows %}<tr class="nhsuk-table__row">
<td class="nhsuk-table__cell"><span class="nhsuk-table-responsive__heading">Reference </span>
<a class="nhsuk-link" href="/qi/qi-project/{{ r.reference }}">{{ r.reference }}</a></td>
<td class="nhsuk-table__cell"><span class="nhsuk-table-responsive__heading">Project title </span>{{ r.title }}</td>
<td class="nhsuk-table__cell"><span class="nhsuk-table-responsive__heading">Division </span>{{ r.division }}</td>
<td class="nhsuk-table__cell"><span class="nhsuk-table-responsive__heading">Project lead </span>{{ r.lead }}</td>
<td class="nhsuk-table__cell"><span class="nhsuk-table-responsive__heading">Status </span>
<strong class="nhsuk-tag nhsuk-tag--{{ r.colour }}">{{ r.status }}</strong></td>
<td class="nhsuk-table__cell"><span class="nhsuk-table-responsive__heading">Summary </span>{{ r.summary }}</td>
<td class="nhsuk-table__cell"><span class="nhsuk-table-responsive__heading">Updated </span>{{ r.updated }}</td>
</tr>
{% endfor %}</tbody></table>
<nav class="nhsuk-pagination" aria-label="Pagination"><a href="?page=2">Next</a></nav>
</div></main></body></html>"""

WORDS = ("reducing falls discharge delays sepsis screening handover medication errors pressure ulcers theatre "
         "utilisation outpatient waiting times patient experience nutrition hydration").split()


def sample_rows(count: int = 25) -> list[dict[str, str]]:
    rng = random.Random(1)
    return [{
        "reference": f"QI-{n:04d}",
        "title": " ".join(rng.choices(WORDS, k=6)).capitalize(),
        "division": rng.choice(["Medicine", "Surgery", "Women and Children", "Clinical Support"]),
        "lead": rng.choice(["Amira Patel", "John Smith", "Grace Okafor", "Liam O'Neill"]),
        "status": rng.choice(["Proposed", "In progress", "Completed"]),
        "colour": rng.choice(["blue", "green", "grey"]),
        "summary": " ".join(rng.choices(WORDS, k=9)).capitalize() + ".",
        "updated": f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
    } for n in range(1, count + 1)]


def create_floor_app() -> Flask:
    app = Flask(__name__)
    # A loaded template, compiled once and cached as any Flask app's are (render_template_string would
    # recompile it on every request and make the floor look slower than Flask is).
    app.jinja_loader = DictLoader({"table.html": PAGE})
    rows = sample_rows()
    columns = ["Reference", "Project title", "Division", "Project lead", "Status", "Summary", "Updated"]

    @app.get("/")
    def table() -> str:
        return render_template("table.html", title="Quality improvement projects", total=10_000, rows=rows,
                                      columns=columns)

    return app
