"""``repo-engine check``: validate every repository type and instance (problems as ``file:line: message``),
then read every repository's stored data (saying which backend holds it: the embedded store or PostgreSQL)
and report each fault at its file, with what to do, and each value a change to a type has stranded at the
line of that change (``engine.evolution.report``)."""
from __future__ import annotations

from engine.config import Paths
from engine.errors import SchemaError
from engine.fields.values import plural
from engine.store.places import backend


def register(sub) -> None:
    parser = sub.add_parser("check", help="validate all schemas and instances, and read every repository's data")
    parser.add_argument("--schemas-only", action="store_true", help="do not read the repositories' data")
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
        print(f"{plural(len(error.problems), 'problem')} found")
        return 1
    checked = f"{plural(len(project.types), 'repository type')}, {plural(len(project.instances), 'instance')}"
    faults = [] if args.schemas_only else data_faults(project, paths)
    for fault in faults:
        print(fault)
    if faults:
        print(f"{checked}: {plural(len(faults), 'problem')} found in stored data")
        return 1
    read = "" if args.schemas_only else f", every repository's data read from {backend(paths)}"
    print(f"{checked}{read}: no problems found")
    return 0


def data_faults(project, paths: Paths) -> list[str]:
    """``file: fault. What to do`` for every repository whose stored data is damaged, then ``file:line:
    message`` for every kind of value the types strand in the others."""
    from engine.evolution.report import stranded
    from engine.store import Stores

    stores = Stores(paths)
    faults, sound = [], []
    try:
        for instance in project.instances.values():
            for rtype in instance.repositories:
                damaged = stores.get(instance, rtype).verify()
                for damage in damaged:
                    faults.append(damage.report().replace("INSTANCE REPO", f"{instance.name} {rtype.name}"))
                if not damaged:
                    sound.append((instance, rtype))
        faults += stranded(project, stores, sound)
    finally:
        stores.close()
    return faults
