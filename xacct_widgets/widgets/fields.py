"""Form fields: a control with its label, a help line and an inline error line, from a table.

Why a table (:class:`FieldSpec`) rather than code per field: every form in the tutorial has the
same anatomy, the browser tests find each control by its stable ``xacct-*`` class and its error
line by ``<class>-error``, and a field's check is always a core validator (so the widget's
check and the core's can never disagree). Describing fields as data keeps the constructors
short and the classes consistent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Final

import ipywidgets as w

from ..core import colors
from ..errors import XacctError
from .html import esc, text_of

__all__ = [
    "FIELD_LAYOUT",
    "LABEL_WIDTH",
    "Field",
    "FieldSpec",
    "build_fields",
    "button",
    "classed",
    "color_options",
    "field",
]

#: Width of the label column of every form field, so fields line up.
LABEL_WIDTH: Final = "13em"
FIELD_LAYOUT: Final = {"width": "36em"}


def classed(widget: Any, *names: str) -> Any:
    """Add stable CSS classes (what the browser tests select on) and return the widget."""
    for name in names:
        widget.add_class(name)
    return widget


def button(description: str, css: str, on_click: Callable[[], object], **kwargs: Any) -> Any:
    """A button with its stable CSS class, calling ``on_click()`` when clicked."""
    made = classed(w.Button(description=description, **kwargs), css)
    made.on_click(lambda _b: on_click())
    return made


def color_options() -> list[tuple[str, str]]:
    """Dropdown options for the console's role colours: ``(name (hex), hex)``, none first."""
    return [("(no colour)", "")] + [(f"{n} ({h})", h) for n, h in colors.CONSOLE_COLORS.items()]


@dataclass
class Field:
    """A labelled control with help text under it and an inline error line below that."""

    control: Any
    box: Any
    error: Any

    def set_error(self, message: str | None) -> None:
        if message:
            self.error.value = f'<div class="xacct-field-error-text">⚠ {esc(message)}</div>'
            self.error.layout.display = None
        else:
            self.error.value = ""
            self.error.layout.display = "none"

    def check(self, validate: Callable[[], object], *, with_fix: bool = False) -> bool:
        """Validate the typed value with a core validator (``validate`` raises XacctError) and
        show its message under the field (with its fix too if ``with_fix``); a blank field has
        no error. True when the value passed or is blank."""
        if not str(self.control.value).strip():
            self.set_error(None)
            return True
        try:
            validate()
        except XacctError as err:
            self.set_error(f"{err.message} {err.fix or ''}".strip() if with_fix else err.message)
            return False
        self.set_error(None)
        return True

    @property
    def has_error(self) -> bool:
        return bool(self.error.value)

    @property
    def error_text(self) -> str:
        """The inline error as plain text ("" when the value is fine)."""
        return text_of(self.error.value).lstrip("⚠ ")


def field(control: Any, label: str, help_text: str, css: str, *, width: str = "") -> Field:
    """Wrap ``control`` with a label, a help line and an (empty) inline error line.

    ``css`` (e.g. ``"xacct-role-name"``) goes on the control; its error line gets
    ``css + "-error"`` and the generic ``xacct-field-error``.
    """
    control.description = label
    control.style.description_width = LABEL_WIDTH
    if not isinstance(control, w.Checkbox):
        control.layout.width = width or FIELD_LAYOUT["width"]
    classed(control, css)
    help_line = w.HTML(f'<div class="xacct-field-help">{esc(help_text)}</div>')
    error = classed(w.HTML(""), "xacct-field-error", f"{css}-error")
    error.layout.display = "none"
    box = w.VBox([control, help_line, error])
    return Field(control, box, error)


@dataclass(frozen=True)
class FieldSpec:
    """One row of a form's field table.

    ``name`` is both the widget attribute holding the control and its key in
    ``widget.fields``; ``make`` builds the control (once per widget: controls are never shared);
    ``css`` is its stable class; ``rule`` is the *core* function that checks the typed value (it
    raises an XacctError naming the rule), run on every change, its fix shown too if
    ``with_fix``; a blank field is never an error. ``width`` / ``height`` override the layout.
    """

    name: str
    make: Callable[[], Any]
    label: str
    help: str
    css: str
    rule: Callable[[str], object] | None = None
    with_fix: bool = False
    width: str = ""
    height: str = ""

    def build(self) -> Field:
        """The field, without change handling (see :func:`build_fields`)."""
        made = field(self.make(), self.label, self.help, self.css, width=self.width)
        if self.height:
            made.control.layout.height = self.height
        return made


def build_fields(
    specs: Iterable[FieldSpec], changed: Callable[[str], None] | None = None
) -> dict[str, Field]:
    """The fields of a table, by name, in table order.

    On every change of a field its ``rule`` runs (the inline error follows it), then
    ``changed(name)`` if given (e.g. to re-enable Next).
    """
    made: dict[str, Field] = {}
    for spec in specs:
        made[spec.name] = made_field = spec.build()
        if spec.rule is None and changed is None:
            continue

        def on_change(_change: object, s: FieldSpec = spec, f: Field = made_field) -> None:
            rule = s.rule
            if rule is not None:
                f.check(lambda: rule(str(f.control.value)), with_fix=s.with_fix)
            if changed is not None:
                changed(s.name)

        made_field.control.observe(on_change, "value")
    return made
