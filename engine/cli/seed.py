"""``repo-engine seed``: load each instance's sample records into repositories that are still empty.

Samples live in ``instances/<instance>/samples/<repository>.yaml``: a list of records, each the field values
plus optional ``status`` and ``created_by``. A file field names files under ``samples/`` (``files/x.pdf``),
attached when the record is loaded. Records are loaded in file order, so the n-th becomes ``PREFIX-000n``
and a sample may refer to an earlier one by that reference.

Real data is never overwritten: a repository that holds any record, even a deleted one, is left alone. Every
sample of a repository is checked before the first is written, so a mistake loads nothing of it (a sample naming
a record that does not exist, in another repository or among the later samples of its own, included).
"""
from __future__ import annotations

import mimetypes
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.cli.project import instance_named, load
from engine.config import Paths
from engine.cli.messages import explain
from engine.errors import DataDamaged, EngineError
from engine.records import Records, open_records
from engine.schema.compile import RecordValidator
from engine.schema.model import Instance, Project, RepositoryType
from engine.schema.yamlfile import Document, YamlProblem, display_path, load_document
from engine.store import Stores
from engine.store.base import Query, Record, Upload
from engine.store.documents import format_reference

#: Who the records were created by when a sample does not say.
SAMPLE_USER = "Sample data"
#: Keys of a sample that are not field values.
SAMPLE_KEYS = ("status", "created_by")


@dataclass(frozen=True)
class Sample:
    """One sample record, checked and ready to write."""
    values: dict[str, Any]
    status: str
    user: str
    files: dict[str, tuple[Path, ...]]


class SampleProblems(EngineError):
    """Samples that cannot be loaded, each ``file:line: message``."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


def register(sub) -> None:
    parser = sub.add_parser("seed", help="load sample records into empty repositories (never over real data)")
    parser.add_argument("--instance", metavar="NAME", help="seed only this instance")
    parser.set_defaults(run=run)


def run(args) -> int:
    try:
        paths, project = load(args)
        if args.instance:
            instance_named(project, args.instance)
    except EngineError as error:
        print(error)
        return 1
    stores = Stores(paths)
    try:
        return 1 if seed_project(project, paths, stores, only=args.instance) else 0
    finally:
        stores.close()


def seed_project(project: Project, paths: Paths, stores: Stores, only: str | None = None) -> list[str]:
    """Seed every (or one) instance, printing what was loaded; return the problems found."""
    problems: list[str] = []
    for instance in project.instances.values():
        if only and instance.name != only:
            continue
        folder = paths.instances / instance.name / "samples"
        problems += stray_sample_files(instance, folder)
        for rtype in load_order(instance):
            path = folder / f"{rtype.name}.yaml"
            if path.is_file():
                records = open_records(stores, instance, rtype)
                problems += seed_repository(instance, records, path)
    return problems


def seed_repository(instance: Instance, records: Records, path: Path) -> list[str]:
    """Load the samples in ``path`` through ``records`` if its store has never held a record; return the
    problems."""
    rtype, store = records.rtype, records.store
    where = f"{instance.name} / {rtype.name}"
    try:
        held = store.count() + store.query(Query(deleted=True, per_page=1)).total
    except DataDamaged as damage:       # never seeded over: its records are there, only unreadable
        print(f"{where}: left alone, its data could not be read ({damage.report()})")
        return []
    if held or store.has_held_data():
        print(f"{where}: left alone, it " + (f"already holds {counted(held, 'record')}" if held
                                              else "has held records before"))
        return []
    try:
        samples = read_samples(path, rtype)
    except SampleProblems as error:
        print("\n".join(error.problems))
        print(f"{where}: nothing loaded, {counted(len(error.problems), 'problem')} in {display_path(path)}")
        return error.problems
    problems = dangling(records, samples, path)
    if problems:
        print("\n".join(problems))
        print(f"{where}: nothing loaded, {counted(len(problems), 'problem')} in {display_path(path)}")
        return problems
    references = []
    for number, sample in enumerate(samples, start=1):
        try:
            references.append(write(records, sample).reference)
        except EngineError as error:     # e.g. a reference the store refuses: stop, never half-seed silently
            problem = f"{display_path(path)}: record {number}: {explain(error)}"
            print(problem)
            print(f"{where}: stopped after loading {counted(len(references), 'record')}")
            return [problem]
    span = f" ({references[0]} to {references[-1]})" if references else ""
    print(f"{where}: loaded {counted(len(references), 'sample record')}{span}")
    return []


def dangling(records: Records, samples: list[Sample], path: Path) -> list[str]:
    """References to records that do not exist, checked before the first sample is written: the n-th sample
    becomes ``PREFIX-000n`` and samples are written in order, so a sample may name an earlier one."""
    earlier = [format_reference(records.rtype.reference_prefix, n) for n in range(1, len(samples) + 1)]
    return [f"{display_path(path)}: record {number}: {message}"
            for number, sample in enumerate(samples, start=1)
            for message in records.dangling(sample.values, batch=frozenset(earlier[:number - 1])).values()]


def write(records: Records, sample: Sample) -> Record:
    """Create one record through the engine's one write path, attaching the sample's files."""
    with ExitStack() as opened:
        uploads = {
            name: [Upload(path.name, opened.enter_context(path.open("rb")), mimetypes.guess_type(path.name)[0])
                   for path in paths]
            for name, paths in sample.files.items()
        }
        # Samples show records at every stage of a workflow, and tell nobody: loaded as history.
        return records.create(sample.values, user=sample.user, status=sample.status, uploads=uploads or None,
                              history=True, notify=False)


def read_samples(path: Path, rtype: RepositoryType) -> list[Sample]:
    """Every sample in the file, checked against the repository type; ``SampleProblems`` lists every mistake."""
    try:
        document = load_document(path)
    except YamlProblem as error:
        raise SampleProblems([f"{display_path(path)}:{error.line}: {error}"]) from None
    if not isinstance(document.data, list):
        raise SampleProblems([f"{document.where()}: samples must be a list of records"])
    validator = RecordValidator(rtype)
    samples, problems = [], []
    for index, data in enumerate(document.data):
        sample, found = check_sample(document, index, data, rtype, validator)
        samples.append(sample)
        problems += found
    if problems:
        raise SampleProblems(problems)
    return samples


def check_sample(document: Document, index: int, data: Any, rtype: RepositoryType,
                 validator: RecordValidator) -> tuple[Sample | None, list[str]]:
    """One sample and the problems with it, each naming the file, line and record number."""
    def problem(key: Any, message: str) -> str:
        at = (index,) if key is None else (index, key)
        return f"{document.where(at)}: record {index + 1}: {message}"

    if not isinstance(data, dict):
        return None, [problem(None, "a record must be a mapping of field names to values")]
    status = str(data.get("status") or rtype.initial_status)
    problems = [problem(key, f"'{key}' is not a field of {rtype.name}")
                for key in data if key not in rtype.field_map and key not in SAMPLE_KEYS]
    if status not in rtype.status_names:
        problems.append(problem("status", f"status '{status}' is not one of {', '.join(rtype.status_names)}"))
    values = {key: value for key, value in data.items() if key in rtype.field_map}
    files = sample_files(document.path.parent, rtype, values)
    problems += [problem(name, f"no such file {display_path(path)}") for name, paths in files.items()
                 for path in paths if not path.is_file()]
    if not problems:
        # File fields are checked with the files' names standing in for the ids they get when stored.
        checked = {**values, **{name: [p.name for p in paths] for name, paths in files.items()}}
        problems += [problem(name if name in data else None, message)
                     for name, message in validator.validate(checked, status).items()]
    stored = {key: value for key, value in values.items() if key not in files}
    return Sample(stored, status, str(data.get("created_by") or SAMPLE_USER), files), problems


def sample_files(folder: Path, rtype: RepositoryType, values: dict[str, Any]) -> dict[str, tuple[Path, ...]]:
    """The files a sample names in its file fields, as paths under the samples folder."""
    found = {}
    for name, value in values.items():
        if rtype.field(name).type_name == "file" and value:
            names = value if isinstance(value, list) else [value]
            found[name] = tuple(folder / str(item) for item in names)
    return found


def load_order(instance: Instance) -> list[RepositoryType]:
    """The instance's repositories with each one's reference targets before it, so sample references resolve."""
    ordered: dict[str, RepositoryType] = {}

    def visit(rtype: RepositoryType, trail: frozenset[str]) -> None:
        if rtype.name in ordered or rtype.name in trail:
            return
        for field in rtype.fields:
            if field.target and field.target != rtype.name and instance.has_repository(field.target):
                visit(instance.repository(field.target), trail | {rtype.name})
        ordered[rtype.name] = rtype

    for rtype in instance.repositories:
        visit(rtype, frozenset())
    return list(ordered.values())


def stray_sample_files(instance: Instance, folder: Path) -> list[str]:
    """Sample files for repositories the instance does not host: almost always a misspelt file name."""
    if not folder.is_dir():
        return []
    problems = [f"{display_path(path)}: {instance.name} hosts no repository '{path.stem}'"
                f" (it hosts {', '.join(r.name for r in instance.repositories)})"
                for path in sorted(folder.glob("*.yaml")) if not instance.has_repository(path.stem)]
    for line in problems:
        print(line)
    return problems


def counted(number: int, noun: str) -> str:
    """'1 record', '3 records'."""
    return f"{number} {noun}{'' if number == 1 else 's'}"
