"""The dashboard's language (Flask-Babel, `languages/catalogues/*/messages.po`) and the page
helpers: `_()` in the pages, `label()` for the codes the domain hands them, local times.

A page's language is the account's choice (or, before login, the visitor's), English by default."""

from __future__ import annotations

from datetime import datetime

from markupsafe import Markup

from ..texts.dates import on_page
from .labels import label, said, task_note, why_not, words
from .reader import language


def page_words(message: str, **values) -> Markup:
    """The pages' `_()`, as Jinja's newstyle gettext: the translation trusted, its values escaped,
    and "%%" a percent sign."""
    text = words(message)
    return Markup(text) % values if values else Markup(text % {})


def init_app(app) -> None:
    from flask_babel import Babel

    from ..bootstrap import get_services
    from ..languages import compiled

    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(compiled.directory())
    Babel(app, locale_selector=language, configure_jinja=True)
    # the pages' _() through the same remembered words as `label`: Flask-Babel's asks for the
    # locale and the catalogue again at every call (13 µs; this, under 1 µs)
    app.jinja_env.globals.update(_=page_words, gettext=page_words)

    @app.template_filter("local")
    def local(moment: datetime | None, pattern: str | None = None) -> str:
        """A moment in the programme's time zone, in the reader's language (CLDR: "1 Des 2026 14:05")."""
        if moment is None:
            return ""
        return on_page(moment.astimezone(get_services().config.tz), language(), pattern)

    @app.template_filter("day")
    def day(value, pattern: str | None = None) -> str:
        """A date in the reader's language ("1 Des 2026"; `pattern` in CLDR's letters)."""
        return on_page(value, language(), pattern) if value is not None else ""

    @app.template_filter("long_date")
    def long_date(day) -> str:
        """A day as the reader says it, in her language ("Jumanne 1 Desemba 2026")."""
        from ..texts.render import format_date

        return format_date(day, language()) if day is not None else ""

    @app.context_processor
    def helpers():
        from .simulator import available

        return {
            "label": label,
            "said": said,
            "why_not": why_not,
            "task_note": task_note,
            "lang": language(),
            "simulator_available": available(),
        }
