"""Schema loading: YAML with line numbers -> meta-schema validation -> meaning checks -> resolution of
``extends`` and instance adaptations -> frozen ``RepositoryType``/``Instance`` objects.

Entry point: ``load_project(paths, registry) -> Project``, raising ``SchemaError`` listing every problem.
"""
from engine.schema.loader import load_project

__all__ = ["load_project"]
