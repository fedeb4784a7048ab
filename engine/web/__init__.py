"""The generated pages: ``app`` (the factory), ``site`` (per-repository state built once at start-up),
``forms``, ``listing`` and ``columns`` (what the views compute), ``views`` (one set of blueprints for every
repository), ``errors``, ``assets`` and ``templating``; templates in ``templates/`` (a snippet per field-type
template name under ``fields/form`` and ``fields/display``), our JS and CSS in ``static/``."""
