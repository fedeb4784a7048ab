"""``repo-engine users``: local accounts, roles per instance and API tokens, for the people who run the site.

    repo-engine users add USERNAME [--name N] [--email E] [--admin] [--password-stdin | --no-password]
    repo-engine users passwd USERNAME [--password-stdin]
    repo-engine users grant USERNAME INSTANCE ROLE      (reader, contributor, editor, admin)
    repo-engine users revoke USERNAME INSTANCE
    repo-engine users admin USERNAME [--remove]         site admin: every role in every instance
    repo-engine users remove USERNAME                   the account, its roles and tokens (signed out at once)
    repo-engine users list                              accounts, then invitations not taken up yet
    repo-engine users token USERNAME [--label L]        prints a new API token once
    repo-engine users demo                              first run only: a demo site admin, random password

Accounts live in ``accounts.json`` in the site data folder (``REPO_ENGINE_DATA``, else ``data/`` beside the
instances folder), or in the database ``REPO_ENGINE_DATABASE_URL`` names: where the web site reads them. An account added with the email address an instance
admin invited (on the members page) starts with the roles that invitation was keeping. Exit status: 0 done,
1 refused (the message says why).
"""
from __future__ import annotations

import getpass
import secrets
import sys

from engine.access import ROLES
from engine.access.accounts import AccountError, Accounts
from engine.config import Paths
from engine.schema.instances import INSTANCE_FILE
from engine.store.places import site_place


class Refused(Exception):
    """A request the command will not carry out; ``str()`` says why, in the operator's terms."""


def register(sub) -> None:
    parser = sub.add_parser("users", help="accounts, roles per instance and API tokens")
    actions = parser.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="make a local account (asks for its password twice)")
    add.add_argument("username")
    add.add_argument("--name", default="", help="the person's full name, shown on pages")
    add.add_argument("--email", default="")
    add.add_argument("--admin", action="store_true", help="site admin: every role in every instance")
    _password_options(add, allow_none=True)
    passwd = actions.add_parser("passwd", help="set an account's password")
    passwd.add_argument("username")
    _password_options(passwd)
    grant = actions.add_parser("grant", help="give someone a role in an instance (replaces their role there)")
    grant.add_argument("username")
    grant.add_argument("instance")
    grant.add_argument("role", help=", ".join(ROLES))
    revoke = actions.add_parser("revoke", help="take away someone's role in an instance")
    revoke.add_argument("username")
    revoke.add_argument("instance")
    admin = actions.add_parser("admin", help="make an account a site admin (every role in every instance)")
    admin.add_argument("username")
    admin.add_argument("--remove", action="store_true", help="take site admin away instead")
    remove = actions.add_parser("remove", help="remove an account, its roles and its API tokens")
    remove.add_argument("username")
    actions.add_parser("list", help="every account with its roles, then invitations not taken up yet")
    token = actions.add_parser("token", help="make an API token for an account (printed once)")
    token.add_argument("username")
    token.add_argument("--label", default="", help="what the token is for, e.g. 'monthly report script'")
    actions.add_parser("demo", help="when there are no accounts yet: a demo site admin (every instance)")
    parser.set_defaults(run=run)


def _password_options(parser, allow_none: bool = False) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    if allow_none:
        group.add_argument("--no-password", action="store_true",
                           help="no password: the person signs in with single sign-on only")


def run(args) -> int:
    paths = Paths.from_env(args.schemas, args.instances)
    accounts = Accounts(site_place(paths))
    try:
        ACTIONS[args.action](args, accounts, paths)
    except (AccountError, Refused) as refused:
        print(f"repo-engine users {args.action}: {refused}", file=sys.stderr)
        return 1
    return 0


def _password(args) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise Refused("no terminal to ask for the password on: use --password-stdin")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Password again: ") != first:
        raise Refused("the two passwords did not match; nothing was changed")
    return first


def _instance_names(paths: Paths) -> list[str]:
    return sorted(p.parent.name for p in paths.instances.glob(f"*/{INSTANCE_FILE}"))


def _instance(paths: Paths, name: str) -> str:
    if not (paths.instances / name / INSTANCE_FILE).is_file():
        known = _instance_names(paths)
        raise Refused(f"there is no instance called “{name}” in {paths.instances} "
                      f"(instances: {', '.join(known) or 'none'})")
    return name


def add(args, accounts: Accounts, paths: Paths) -> None:
    password = None if getattr(args, "no_password", False) else _password(args)
    made = accounts.add(args.username, password, name=args.name, email=args.email, site_admin=args.admin)
    print(f"Added {made.username}{' (site admin)' if made.site_admin else ''}.")
    if made.roles:          # a new account has roles only from an invitation to its address
        print(f"Roles it was invited to: {_roles(made.roles)}.")


def passwd(args, accounts: Accounts, paths: Paths) -> None:
    if accounts.get(args.username) is None:
        raise Refused(f"there is no account called “{args.username}”")
    accounts.set_password(args.username, _password(args))
    print(f"Password changed for {args.username}.")


def grant(args, accounts: Accounts, paths: Paths) -> None:
    if args.role not in ROLES:
        raise Refused(f"there is no role called “{args.role}” (roles: {', '.join(ROLES)})")
    accounts.grant(args.username, _instance(paths, args.instance), args.role)
    print(f"{args.username} is now {args.role} in {args.instance}.")


def revoke(args, accounts: Accounts, paths: Paths) -> None:
    if not accounts.revoke(args.username, args.instance):
        raise Refused(f"{args.username} has no role in {args.instance}; nothing was changed")
    print(f"{args.username} no longer has a role in {args.instance}.")


def site_admin(args, accounts: Accounts, paths: Paths) -> None:
    accounts.set_site_admin(args.username, not args.remove)
    print(f"{args.username} is {'no longer' if args.remove else 'now'} a site admin.")


def remove(args, accounts: Accounts, paths: Paths) -> None:
    accounts.remove(args.username)
    print(f"Removed {args.username}: signed out, with no roles and no API tokens.")


def list_users(args, accounts: Accounts, paths: Paths) -> None:
    people = accounts.users()
    if not people:
        print("No accounts yet. Add the first admin: repo-engine users add USERNAME --admin")
    for person in people:
        flags = " [site admin]" if person.site_admin else ""
        print(f"{person.username}\t{person.name}\t{person.email}\t{_roles(person.roles) or '-'}{flags}")
    for address, roles in accounts.invited().items():
        print(f"{address}\t(invited, not signed in yet)\t\t{_roles(roles)}")


def _roles(roles) -> str:
    return ", ".join(f"{instance}: {role}" for instance, role in sorted(roles.items()))


def token(args, accounts: Accounts, paths: Paths) -> None:
    secret = accounts.create_token(args.username, args.label)
    print("Keep this token somewhere safe: it is shown only now.", file=sys.stderr)
    print(secret)


def demo(args, accounts: Accounts, paths: Paths) -> None:
    """For ``make run``: a demo account on a machine with no accounts, never a fixed password."""
    if len(accounts):
        print(f"Accounts exist already ({len(accounts)}); no demo account made. Forgotten a password? "
              "repo-engine users passwd USERNAME")
        return
    password = secrets.token_urlsafe(12)
    # A site admin, not an admin of today's instances: an instance added later is the demo's to try out too.
    accounts.add("demo", password, name="Demo administrator", site_admin=True)
    print(f"Sign in as: demo   password: {password}   (site admin: every role in every instance, "
          "including instances added later)")


ACTIONS = {"add": add, "passwd": passwd, "grant": grant, "revoke": revoke, "admin": site_admin,
           "remove": remove, "list": list_users, "token": token, "demo": demo}
