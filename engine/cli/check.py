"""``repo-engine check``: validate every repository type and instance; problems as ``file:line: message``."""
from __future__ import annotations

from engine.config import Paths
from engine.errors import SchemaError


def register(sub) -> None:
    parser = sub.add_parser("check", help="validate all schemas and instances")
    parser.set_defaults(run=run)


def run(args) -> int:
    from engine.fields import default_registry
    from engine.schema import load_project

    paths = Paths.from_env(schemas=args.schemas, instances=args.instances)
    try:
        project = load_project(paths, default_registry())
    except SchemaError as error:
        for problem in error.problems:
            print(problem)
        count = len(error.problems)
        print(f"{count} problem{'s' if count != 1 else ''} found")
        return 1
    print(f"{_count(len(project.types), 'repository type')}, {_count(len(project.instances), 'instance')}: "
          "no problems found")
    return 0


def _count(number: int, word: str) -> str:
    return f"{number} {word}{'' if number == 1 else 's'}"
