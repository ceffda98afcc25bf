"""Jinja set-up shared by all domains: translation helpers and the current language as globals."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from jinja2 import Environment
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig

from reporting.i18n import SUPPORTED_LANGUAGES, current_language, gettext_, ngettext_
from reporting.web.app_state import app_settings
from reporting.web.office_directory import help_offices, region_label

# Package data, found where the package is installed (a wheel, an editable checkout): never the working directory.
TEMPLATES_DIR = Path(str(files("reporting") / "templates"))
STATIC_DIR = Path(str(files("reporting") / "static"))


def configure_environment(environment: Environment) -> None:
    environment.globals.update(
        _=gettext_,
        ngettext=ngettext_,
        current_language=current_language,
        supported_languages=SUPPORTED_LANGUAGES,
        app_settings=app_settings,
        help_offices=help_offices,
        region_label=region_label,
    )
    environment.autoescape = True


def _configure_engine(engine: JinjaTemplateEngine) -> None:
    configure_environment(engine.engine)


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    return TemplateConfig(directory=TEMPLATES_DIR, engine=JinjaTemplateEngine, engine_callback=_configure_engine)
