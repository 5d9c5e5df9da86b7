"""The one Jinja environment over `templates/`: HTML autoescaped, Markdown through filters.

Every value printed by any template first loses terminal escapes and control characters
(`finalize`); HTML templates then escape it, Markdown templates pass it through `md` or
`md_code`. Undefined names are errors, never empty strings.
"""

from __future__ import annotations

from functools import cache
from typing import Any
from urllib.parse import urlsplit

import jinja2
from markupsafe import Markup

from upgradecheck.render import escaping
from upgradecheck.render.interface import RenderError
from upgradecheck.resources import templates_dir
from upgradecheck.wording import plural


def _finalize(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, Markup):
        return value
    if isinstance(value, str):
        return escaping.clean(value)
    return value


def is_http_url(value: object) -> bool:
    """True for an absolute http or https URL with a host: the only links a report makes."""
    if not isinstance(value, str):
        return False
    try:
        parts = urlsplit(value.strip())
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _md_code_cell(value: object) -> str:
    return escaping.markdown_code(value, table=True)


@cache
def environment() -> jinja2.Environment:
    """The shared environment (built once): strict, trimmed, autoescaping `*.html.j2`."""
    try:
        folder = templates_dir()
    except FileNotFoundError as exc:
        raise RenderError(str(exc)) from exc
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(folder)),
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("html.j2", "html"), default_for_string=True, default=False
        ),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=_finalize,
    )
    env.filters.update(
        md=escaping.markdown_text,
        md_code=escaping.markdown_code,
        md_cell_code=_md_code_cell,
        one_line=escaping.one_line,
        shorten=escaping.shorten,
    )
    env.tests["http_url"] = is_http_url
    env.globals["plural"] = plural
    return env


def render_template(name: str, **context: Any) -> str:
    """Render the template `name` with `context`; any template failure is a RenderError."""
    try:
        return environment().get_template(name).render(**context)
    except jinja2.TemplateError as exc:
        raise RenderError(f"cannot render {name}: {exc}") from exc
