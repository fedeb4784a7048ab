"""Repository Engine: repository-style collections generated from YAML repository types.

``create_app()`` is the WSGI application factory (``gunicorn "engine:create_app()"``).
"""
from __future__ import annotations


def create_app(test_config=None):
    from engine.web.app import create_app as _create_app
    return _create_app(test_config)
