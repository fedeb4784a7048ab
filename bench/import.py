"""Benchmark of ``repo-engine import`` on a realistic department tracker (not part of ``make test``).

    .venv/bin/python bench/import.py [--rows 5000] [--repeat 3]

Builds a tracker the way departments arrive with one (a SharePoint list export): headers by label, by name
and in odd case, an extra column, UK dates, ISO dates and Excel serial dates mixed, choice labels, "a; b"
multi-values, blank cells and blank rows, SharePoint's Created and Created by. Writes it as CSV (UTF-8 with a
BOM) and XLSX, then times, for each, a dry run and a real import into an empty ``qi-project`` repository of
the shipped ``quality-improvement`` instance, through the command line itself (the progress bar shows on a
terminal). Prints the median of the runs per step.
"""
from __future__ import annotations

import argparse
import contextlib
import csv
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

from engine.cli import main  # noqa: E402

HEADERS = ["Project Title", "aim", "Background and problem", "Quality domains", "project_lead",
           "Project lead's email", "Division", "Specialty or service", "Improvement method", "Start date",
           "Expected end date", "Keywords", "Status", "Created", "Created By", "Item Type"]
DIVISIONS = ["Medicine", "Surgery", "Women and Children", "Emergency and Urgent Care", "Clinical Support Services"]
SPECIALTIES = ["Acute Medicine", "Cardiology", "Critical Care", "Dermatology", "Emergency Medicine"]
METHODS = ["Model for Improvement (PDSA cycles)", "Lean", "Six Sigma"]
DOMAINS = ["Safe", "Effective", "Caring", "Responsive", "Well-led"]
STATUSES = ["Proposed", "Approved", "In progress", "On hold"]
TOPICS = ["sepsis", "falls", "discharge", "pressure ulcers", "hand hygiene", "medicines", "handover", "DNA"]
PEOPLE = ["Ann Lee", "Dr Bob Smith", "Nadia Ahmed", "Sister Jo Evans", "Dr Fatima Hussain", "Sam O'Neill"]
EXCEL_EPOCH = date(1899, 12, 30)


def tracker_rows(count: int, seed: int = 7) -> list[list[object]]:
    """``count`` projects (and a blank row every 500): what a department's list holds after a few years."""
    pick = random.Random(seed)
    rows = []
    for number in range(1, count + 1):
        topic = pick.choice(TOPICS)
        start = date(2019, 1, 1) + timedelta(days=pick.randrange(2400))
        person = pick.choice(PEOPLE)
        rows.append([
            f"{topic.capitalize()} improvement {number} on ward {pick.randrange(1, 40)}",
            f"Improve {topic} outcomes by {pick.randrange(5, 50)}% within a year.",
            f"An audit in {start.year} showed gaps in {topic}. " * pick.randrange(1, 4),
            "; ".join(pick.sample(DOMAINS, pick.randrange(0, 3))),
            person,
            f"{person.split()[-1].lower()}{number}@example.nhs.uk" if pick.random() < 0.8 else "",
            pick.choice(DIVISIONS), pick.choice(SPECIALTIES) if pick.random() < 0.7 else "", pick.choice(METHODS),
            _date_cell(start, pick), _date_cell(start + timedelta(days=365), pick) if pick.random() < 0.5 else "",
            "; ".join(pick.sample(TOPICS, 2)), pick.choice(STATUSES),
            f"{datetime(start.year, start.month, start.day, 9, 0) - timedelta(days=30):%d/%m/%Y %H:%M}",
            person, "Item",
        ])
        if number % 500 == 0:
            rows.append([""] * len(HEADERS))
    return rows


def _date_cell(day: date, pick: random.Random) -> object:
    """A UK date, an ISO date, or the Excel serial a pasted date becomes."""
    return pick.choice([f"{day:%d/%m/%Y}", day.isoformat(), str((day - EXCEL_EPOCH).days)])


def write_files(folder: Path, rows: list[list[object]]) -> dict[str, Path]:
    from openpyxl import Workbook
    csv_path, xlsx_path = folder / "tracker.csv", folder / "tracker.xlsx"
    with open(csv_path, "w", encoding="utf-8-sig", newline="") as out:
        csv.writer(out).writerows([HEADERS, *rows])
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Tracker")
    sheet.append(HEADERS)
    for row in rows:        # in a workbook serial dates are numbers, as Excel keeps them
        sheet.append([int(cell) if isinstance(cell, str) and cell.isdigit() else (cell or None) for cell in row])
    book.save(xlsx_path)
    return {"CSV": csv_path, "XLSX": xlsx_path}


def timed(args: list[str], data: Path) -> tuple[float, int]:
    os.environ["REPO_ENGINE_DATA"] = str(data)
    started = time.perf_counter()
    with open(os.devnull, "w") as quiet, contextlib.redirect_stdout(quiet):
        status = main(["--schemas", str(ROOT / "schemas"), "--instances", str(ROOT / "instances"), *args])
    return time.perf_counter() - started, status


def run(rows: int, repeat: int) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        files = write_files(folder, tracker_rows(rows))
        print(f"{rows:,} rows; CSV {files['CSV'].stat().st_size / 1e6:.1f} MB, "
              f"XLSX {files['XLSX'].stat().st_size / 1e6:.1f} MB", file=sys.stderr)
        results = []
        for kind, path in files.items():
            dry, write = [], []
            for number in range(repeat):
                base = ["import", "quality-improvement", "qi-project", str(path), "--user", "bench"]
                seconds, status = timed(base + ["--dry-run"], folder / f"dry-{kind}-{number}")
                assert status == 0, f"{kind} dry run found problems"
                dry.append(seconds)
                seconds, status = timed(base, folder / f"data-{kind}-{number}")
                assert status == 0, f"{kind} import failed"
                write.append(seconds)
            results.append((kind, statistics.median(dry), statistics.median(write)))
    print(f"\n{'file':<6} {'rows':>7} {'dry run (s)':>12} {'import (s)':>11} {'rows/s':>8}")
    for kind, dry, write in results:
        print(f"{kind:<6} {rows:>7,} {dry:>12.2f} {write:>11.2f} {rows / write:>8,.0f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    run(options.rows, options.repeat)
