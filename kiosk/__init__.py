"""The kiosk diagnostic: a Flask application factory with no side effects.

``create_app()`` wires configuration, extensions, blueprints and the CLI. It reads no
data file and opens no database: the questionnaire is loaded on first use (and by
``kiosk serve`` / ``kiosk check`` before serving), the database per request.
"""
from __future__ import annotations

import os

from flask import Flask
from flask_babel import Babel
from flask_wtf.csrf import CSRFProtect

from . import config as config_module
from . import paths
from .storage import secretkey

csrf = CSRFProtect()


def create_app(test_config: dict | None = None) -> Flask:
    """Create the application; ``test_config`` overrides every other setting."""
    app = Flask(__name__, static_folder=str(paths.STATIC), static_url_path="/static",
                instance_relative_config=True)
    app.config.from_mapping(config_module.DEFAULTS)
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Strict",
        WTF_CSRF_TIME_LIMIT=None,  # the session itself expires; see web.resident
        BABEL_TRANSLATION_DIRECTORIES=str(paths.TRANSLATIONS),
        SEND_FILE_MAX_AGE_DEFAULT=3600,
    )
    if test_config is None:
        app.config.from_pyfile("settings.py", silent=True)
        app.config.from_prefixed_env("KIOSK")
    else:
        app.config.update(test_config)
    config_module.resolve_data_files(app.config)
    secretkey.load(app)  # the generated key of `kiosk init`, when none is configured
    if not app.config["DATABASE"]:
        app.config["DATABASE"] = os.path.join(app.instance_path, "kiosk.db")
    app.config["LANGUAGE_LIST"] = config_module.languages(app.config)
    app.config["BABEL_DEFAULT_LOCALE"] = app.config["LANGUAGE_LIST"][0]

    from .storage import db
    from .web import site

    db.init_app(app)
    csrf.init_app(app)
    # A Babel per app: Flask-Babel caches catalogues on the instance, and two apps
    # (tests, or a kiosk and a hub in one process) may read different directories.
    Babel(app, locale_selector=site.select_locale)
    site.init_app(app)
    if app.config["ROLE"] == "hub":
        from .hub import web as hub_web
        hub_web.init_app(app)
    else:
        from .web import activity_record, followup, mediator, resident
        app.register_blueprint(resident.bp)
        app.register_blueprint(followup.bp)
        app.register_blueprint(mediator.bp)
        app.register_blueprint(activity_record.bp)
        from .web import bus
        app.register_blueprint(bus.bp)

    from .cli import register
    register(app)
    return app
