"""The Flask application factory: configuration, services, logs, the edge, the blueprints."""

from __future__ import annotations

import os
from collections.abc import Mapping

from flask import Flask

from .config import Config, load_config


def create_app(config: Config | Mapping[str, str] | None = None, **overrides) -> Flask:
    """Build the web application.

    `config` is a `Config`, or a mapping read as the environment (tests pass a dict), or None
    for the process environment. `overrides` use Config's field names. Raises `ConfigError`
    naming every problem when the configuration is not valid.
    """
    app = Flask(__name__)
    if isinstance(config, Config):
        settings = config.with_overrides(**overrides) if overrides else config
    else:
        environ = os.environ if config is None else config
        settings = load_config(environ, **overrides)

    from . import bootstrap as services
    from . import logs

    logs.init_app(app)
    services.init_app(app, settings)

    from . import api, edge, health, web, webhooks

    edge.init_app(app, settings)

    app.register_blueprint(api.blueprint)
    api.init_app(app)
    app.register_blueprint(health.blueprint)
    app.register_blueprint(webhooks.blueprint)
    web.init_app(app)
    return app
