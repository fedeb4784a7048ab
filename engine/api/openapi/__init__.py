"""The OpenAPI 3.1 description of the API, built once at start-up from the loaded project.

Every hosted repository gets its own paths (``/api/v1/<instance>/<repository>/records...``) and schemas named
``<instance>.<repository>.<Part>``, because an instance may adapt a type. A record's values are described by
each field type's own JSON Schema fragment (``kind.json_schema``), the one the validator uses: OpenAPI 3.1
speaks JSON Schema 2020-12, so the fragments go in as they are, with the validator's other rules around them
(``engine.api.value_schemas``). Query parameters are described by the readers' own schemas
(``engine.api.query``), the idempotency key by ``engine.api.idempotency``. Nothing about one repository type is
written here; the description follows the YAML.

What the description says is valid the server takes, and what it says is not the server refuses with a
status described for that call; every status a call can answer is described (414 and 413 included). Rules JSON
Schema cannot say are said in words: see ``value_schemas``.

The package: ``parts`` (the shared building blocks), ``parameters`` (query strings), ``records``, ``drafts``
and ``workflow`` (a repository's schemas and paths: its actions, comments and watching); here, the document
as a whole and the trust-wide paths.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.access import User, can
from engine.api import query
from engine.api.openapi.drafts import draft_paths, draft_schemas
from engine.api.openapi.parameters import CONTROL_WORDS, ONCE, query_parameter
from engine.api.openapi.parts import (BEARER, COMMON_SCHEMAS, RESPONSES, answer, errors, ref, too_large_answer,
                                      transport)
from engine.api.openapi.records import repository_paths, repository_schemas
from engine.api.openapi.workflow import reference_parameter, workflow_paths, workflow_schemas
from engine.schema.model import Instance
from engine.web.finding import PARAMETERS
from engine.web.listing import STATES
from engine.web.site import Site

__all__ = ["COMMON_SCHEMAS", "RESPONSES", "Description", "describe", "draft_paths", "draft_schemas",
           "repository_paths", "repository_schemas"]


@dataclass(frozen=True)
class Description:
    """The description's parts, made once: what every caller gets, and each instance's paths and schemas,
    shown only to callers who may read that instance (as the site's home page lists only those)."""
    paths: dict[str, Any]
    schemas: dict[str, Any]
    instances: tuple[tuple[Instance, dict[str, Any], dict[str, Any]], ...]

    def for_caller(self, user: User, server: str) -> dict[str, Any]:
        paths, schemas = dict(self.paths), dict(self.schemas)
        for instance, own_paths, own_schemas in self.instances:
            if can(user, instance, "read"):
                paths.update(own_paths)
                schemas.update(own_schemas)
        return {
            "openapi": "3.1.0",
            "info": {"title": "Repository Engine API", "version": "1",
                     "description": "Records of the repositories this site hosts that the caller may read. "
                                    "See docs/api.md."},
            "servers": [{"url": server}],
            "paths": paths,
            "components": {"schemas": schemas, "responses": {**RESPONSES, "TooLarge": too_large_answer()},
                           "securitySchemes": {BEARER: {
                "type": "http", "scheme": "bearer",
                "description": "A token from `repo-engine users token USERNAME`."}}},
        }


def describe(site: Site) -> Description:
    index = {"get": {"operationId": "index", "summary": "Instances and their repositories",
                     "security": [{}, {BEARER: []}],
                     "responses": transport({"200": answer(ref("Index"), "What the caller may read."),
                                             **errors()}, has_body=False)}}
    instances = []
    for instance in site.project.instances.values():
        paths: dict[str, Any] = {}
        schemas: dict[str, Any] = {}
        for repository in site.hosted_in(instance):
            name = f"{instance.name}.{repository.name}"
            schemas.update(repository_schemas(repository, name))
            paths.update(repository_paths(repository, name))
            schemas.update(draft_schemas(repository, name))
            paths.update(draft_paths(repository, name))
            schemas.update(workflow_schemas(repository, name))
            paths.update(workflow_paths(repository, name, reference_parameter(repository)))
        instances.append((instance, paths, schemas))
    return Description({"/api/v1/": index, "/api/v1/search": _search()}, dict(COMMON_SCHEMAS), tuple(instances))


def _search() -> dict[str, Any]:
    """``GET /api/v1/search``: the trust-wide search's parameters, as ``engine.web.finding`` reads them."""
    return {"get": {
        "operationId": "search", "summary": "Search every repository the caller may read, ranked as one list",
        "security": [{}, {BEARER: []}],
        "parameters": [
            {"name": "q", "in": "query", "required": True,
             "schema": {"type": "string", "pattern": query.not_blank()},
             "description": "Words to search for (see docs/search.md): not only spaces." + ONCE},
            # The trust-wide search's reader takes an empty state or page as none given.
            query_parameter("state", {"enum": [*STATES, ""]}, CONTROL_WORDS["state"] + ONCE),
            query_parameter("page", {"type": "string", "pattern": query.PAGE_OR_NONE}, CONTROL_WORDS["page"] + ONCE),
            query_parameter("per_page", dict(query.PAGING["per_page"]), "Results per page." + ONCE),
            *(query_parameter(parameter, {"type": "string"}, f"Only records of this {parameter}; repeat for any "
                                                             "of several.", repeatable=True)
              for parameter in PARAMETERS.values()),
        ],
        "responses": transport({"200": answer(ref("SearchResults"), "One page of the results."),
                                **errors("BadRequest")}, has_body=False),
    }}
