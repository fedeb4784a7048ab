"""What every command that works on records starts with: the project loaded from the command line's folders,
and the instance it names, or one message saying what is wrong."""
from __future__ import annotations

import sys
from typing import Any, Callable

from engine.config import Paths
from engine.errors import EngineError, SchemaError
from engine.schema.model import Instance, Project, RepositoryType


def load(args) -> tuple[Paths, Project]:
    """The folders ``--schemas``/``--instances`` (or the environment) name and the project in them;
    ``EngineError`` listing the schema problems when it does not load."""
    from engine.fields import default_registry
    from engine.schema import load_project
    paths = Paths.from_env(args.schemas, args.instances)
    try:
        return paths, load_project(paths, default_registry())
    except SchemaError as error:
        raise EngineError("\n".join(error.problems) + "\nNothing was done: fix the schemas first "
                          "(repo-engine check).") from None


def instance_named(project: Project, name: str) -> Instance:
    found = project.instances.get(name)
    if found is None:
        raise EngineError(f"There is no instance '{name}'. Instances: {', '.join(sorted(project.instances))}")
    return found


def repositories(project: Project, instance: str | None, repository: str | None
                 ) -> list[tuple[Instance, RepositoryType]]:
    """Every (instance, repository) a command's ``[INSTANCE [REPOSITORY]]`` arguments name: all of them when
    none is given; ``EngineError`` when a name matches nothing."""
    chosen = [instance_named(project, instance)] if instance else list(project.instances.values())
    targets = [(one, rtype) for one in chosen for rtype in one.repositories
               if not repository or rtype.name == repository]
    if repository and not targets:
        raise EngineError(f"{instance} hosts no repository '{repository}'. Its repositories: "
                          f"{', '.join(rtype.name for rtype in chosen[0].repositories)}")
    return targets


def add_repository_arguments(parser) -> None:
    """``[INSTANCE [REPOSITORY]]``, for commands that work on every repository or on some."""
    parser.add_argument("instance", nargs="?", help="only this instance")
    parser.add_argument("repository", nargs="?", help="only this repository of the instance")


def chosen_repositories(args) -> tuple[Paths, list[tuple[Instance, RepositoryType]]] | None:
    """The folders and the repositories ``args`` name; None, having said why on standard error, when the
    project does not load or a name matches nothing."""
    from engine.cli.messages import explain
    try:
        paths, project = load(args)
        return paths, repositories(project, args.instance, args.repository)
    except EngineError as error:
        print(explain(error), file=sys.stderr)
        return None


def each_store(args, failed_as: str, work: Callable[[Instance, RepositoryType, Any], str]) -> int:
    """Run ``work(instance, rtype, store)`` on every repository ``args`` name, printing ``instance/repo: `` and
    what it returns; a repository whose data refuses (``EngineError``) is reported as ``not <failed_as>`` and
    the others go on. The exit status: 1 when the project did not load or any repository failed."""
    from engine.cli.messages import explain
    from engine.store import Stores
    chosen = chosen_repositories(args)
    if chosen is None:
        return 1
    paths, targets = chosen
    stores = Stores(paths)
    failed = 0
    try:
        for instance, rtype in targets:
            where = f"{instance.name}/{rtype.name}"
            try:
                said = work(instance, rtype, stores.get(instance, rtype))
            except EngineError as error:
                print(f"{where}: not {failed_as}: {explain(error)}", file=sys.stderr)
                failed += 1
                continue
            print(f"{where}: {said}")
    finally:
        stores.close()
    return 1 if failed else 0
