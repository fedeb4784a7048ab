"""Filling the QI-project form the way a person does: by the labels printed on it (schemas/qi-project.yaml)."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Page, expect

SAVE = re.compile(r"^(submit|save|send)(?! as draft)", re.I)     # the form's own button, not "Save as draft"
REFERENCE_URL = re.compile(r"/QI-\d+$")


@dataclass(frozen=True)
class Project:
    """What a member of staff types into the required fields of the new-project form."""
    title: str
    aim: str = "Increase the share of patients screened for sepsis within one hour from 62% to 90% by March."
    background: str = "Audit in May found screening late for a third of patients arriving by ambulance."
    lead: str = "Amira Patel"
    division: str = "Surgery"
    specialty: str = "Dermatology"
    method: str = "Lean"
    start: dt.date = dt.date(2026, 3, 2)


def labelled(page: Page, label: str):
    """The input printed with ``label``, whether or not the form marks it "(optional)"."""
    return page.get_by_label(re.compile(rf"^{re.escape(label)}( \(optional\))?$"))


def choose(page: Page, label: str, option: str) -> None:
    """Pick an option whether the form shows the choice as a select or as radios."""
    select = page.get_by_role("combobox", name=label)
    if select.count():
        select.select_option(label=option)
    else:
        page.get_by_role("group", name=label).get_by_label(option, exact=True).check()


def fill_date(page: Page, label: str, date: dt.date) -> None:
    """The NHS date input: a group named by the label holding Day, Month and Year boxes."""
    group = page.get_by_role("group", name=label)
    group.get_by_label("Day").fill(str(date.day))
    group.get_by_label("Month").fill(str(date.month))
    group.get_by_label("Year").fill(str(date.year))


def fill_required(page: Page, project: Project, *, skip: tuple[str, ...] = ()) -> None:
    """Fill every required field except the labels in ``skip``."""
    steps = {
        "Project title": lambda: page.get_by_label("Project title", exact=True).fill(project.title),
        "Aim": lambda: page.get_by_label("Aim", exact=True).fill(project.aim),
        "Background and problem": lambda: page.get_by_label("Background and problem").fill(project.background),
        "Project lead": lambda: page.get_by_label("Project lead", exact=True).fill(project.lead),
        "Division": lambda: choose(page, "Division", project.division),
        "Improvement method": lambda: choose(page, "Improvement method", project.method),
        "Start date": lambda: fill_date(page, "Start date", project.start),
    }
    for label, step in steps.items():
        if label not in skip:
            step()
    choose(page, "Specialty or service", project.specialty)


def attach(page: Page, label: str, document: Path) -> None:
    """Choose a file as a person does: click the upload control, pick the file in the chooser."""
    with page.expect_file_chooser() as chooser:
        page.get_by_label(label).click()
    chooser.value.set_files(document)
    expect(page.get_by_label(label)).to_contain_text(document.name)


def save(page: Page) -> None:
    page.get_by_role("button", name=SAVE).click()


def submit_project(page: Page, new_url: str, project: Project, document: Path | None = None,
                   typed: dict[str, str] | None = None) -> str:
    """Submit a new project (with a document, and text ``typed`` into more boxes by label, when given);
    returns the record page's URL."""
    page.goto(new_url)
    fill_required(page, project)
    for label, text in (typed or {}).items():
        labelled(page, label).fill(text)
    if document is not None:
        attach(page, "Project documents", document)
    save(page)
    page.wait_for_url(REFERENCE_URL)
    expect(page.get_by_role("heading", level=1)).to_contain_text(project.title)
    return page.url


def error_summary(page: Page):
    """The NHS error summary box, located by its heading as a screen-reader user hears it."""
    summary = page.get_by_role("alert").filter(has=page.get_by_role("heading", name="There is a problem"))
    expect(summary).to_be_visible()
    return summary
