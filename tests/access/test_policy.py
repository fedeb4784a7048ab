"""The policy every page asks: ``can(user, instance, action, created_by)`` as a table, role by role."""
from __future__ import annotations

from types import MappingProxyType

import pytest

from engine.access import ACTIONS, ANONYMOUS, User, can, least_role
from engine.schema.model import Access, Instance


def instance(read="anyone", submit="staff") -> Instance:
    return Instance(name="qi", title="QI", description="", repositories=(), access=Access(read, submit))


def person(role: str | None = None, where: str = "qi", site_admin: bool = False) -> User:
    return User("pat", roles=MappingProxyType({where: role} if role else {}), site_admin=site_admin)


R, S, E, C, D, X, M, I = ACTIONS   # read submit edit change_status delete restore manage import
#: role -> the actions it may take in an instance for members only (edit: someone else's record)
TABLE = {
    None:          set(),
    "reader":      {R},
    "contributor": {R, S},
    "editor":      {R, S, E, C, D},
    "admin":       {R, S, E, C, D, X, M, I},
}


@pytest.mark.parametrize("role", TABLE)
@pytest.mark.parametrize("action", ACTIONS)
def test_members_only_instance(role, action):
    assert can(person(role), instance("members", "members"), action, created_by="someone") == (action in TABLE[role])


@pytest.mark.parametrize("action", ACTIONS)
def test_a_role_elsewhere_counts_for_nothing_here(action):
    assert not can(person("admin", where="audit"), instance("members", "members"), action)


@pytest.mark.parametrize("read, submit, anonymous, staff", [
    ("anyone", "staff", {R}, {R, S}),
    ("staff", "staff", set(), {R, S}),
    ("staff", "members", set(), {R}),
    ("members", "members", set(), set()),
])
def test_access_opens_reading_and_submitting_to_people_without_a_role(read, submit, anonymous, staff):
    here = instance(read, submit)
    assert {a for a in ACTIONS if can(ANONYMOUS, here, a)} == anonymous
    assert {a for a in ACTIONS if can(person(), here, a, created_by="someone")} == staff


@pytest.mark.parametrize("submit, role, may_edit_own", [
    ("staff", None, True), ("staff", "contributor", True), ("members", None, False),
    ("members", "reader", False), ("members", "contributor", True),
])
def test_people_edit_their_own_records_while_they_may_still_submit(submit, role, may_edit_own):
    here = instance("anyone", submit)
    assert can(person(role), here, E, created_by="pat") is may_edit_own
    assert not can(person(role), here, C, created_by="pat")      # but never change their status


def test_anonymous_never_owns_a_record():
    assert not can(ANONYMOUS, instance(), E, created_by="")


def test_site_admins_may_do_everything_everywhere():
    assert all(can(person(site_admin=True), instance("members", "members"), a) for a in ACTIONS)


def test_an_unknown_action_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown action"):
        can(ANONYMOUS, instance(), "publish")


@pytest.mark.parametrize("action, role", [(R, "reader"), (S, "contributor"), (E, "editor"), (C, "editor"),
                                          (D, "editor"), (X, "admin"), (M, "admin"), (I, "admin")])
def test_least_role_names_what_a_refused_person_should_ask_for(action, role):
    assert least_role(instance(), action) == role
