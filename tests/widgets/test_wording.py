"""Words an operator reads (issue 20, item 7): one step had two "Back" buttons meaning different
things (the previous step, and leaving the role); the wizard's step button now says
"← Previous step", and "Back to <user>" keeps its meaning."""

from __future__ import annotations

from helpers import make_role, walk

from xacct_widgets.widgets import CreateRoleWizard, SwitchRoleWizard
from xacct_widgets.widgets.switch_role_fields import H_NO_ROLE

URL = (
    "https://signin.aws.amazon.com/switchrole?roleName=cross-account&account=123456781234"
    "&displayName=prod&color=B7CA9D"
)


def button_words(root) -> list[str]:
    return [n.description for n in walk(root) if type(n).__name__ == "Button"]


def test_the_active_step_has_one_back_and_one_previous_step(fresh_sandbox):
    make_role(fresh_sandbox)
    wizard = SwitchRoleWizard(fresh_sandbox.session("source", "operator"), history=":memory:")
    wizard.next_button.click()
    wizard.url.value = URL
    wizard.next_button.click()
    wizard.switch_button.click()
    assert wizard.step_key == "B6-B7", wizard.error_text
    words = button_words(wizard)
    assert wizard.back_button.description == "← Previous step"
    assert "Back to operator" in words
    assert [w for w in words if "Back" in w] == ["Back to operator"], words
    assert "<b>← Previous step</b>" in H_NO_ROLE


def test_the_create_wizard_says_previous_step_too(fresh_sandbox):
    wizard = CreateRoleWizard(fresh_sandbox.session("target", "admin"))
    assert wizard.back_button.description == "← Previous step"


def test_placeholders_read_as_examples_not_values(fresh_sandbox):
    """Issue 20, item 7: grey "cross-account" or "1234-5678-1234" in an empty field looked filled
    in; an example now says "e.g.", and other placeholders are phrases ("optional")."""
    import ipywidgets as w

    from xacct_widgets.widgets import QueryPanel, WhoMaySwitchWizard

    admin = fresh_sandbox.session("target", "admin")
    roots = [
        CreateRoleWizard(admin),
        SwitchRoleWizard(fresh_sandbox.session("source", "operator"), history=":memory:"),
        WhoMaySwitchWizard(admin),
        QueryPanel(fresh_sandbox.session("management", "admin")),
    ]
    found = {}
    for root in roots:
        for body in [root, *(step.body for step in getattr(root, "steps", ()))]:
            for node in walk(body):
                if isinstance(node, w.Text) and node.placeholder.strip("\u200b "):
                    found[node.placeholder] = type(root).__name__
    assert len(found) >= 8, found
    looks_filled = [
        p
        for p in found
        if not (p.startswith(("e.g. ", "(")) or " " in p.strip("…") or p == "optional")
    ]
    assert looks_filled == [], looks_filled
    assert "e.g. cross-account" in found and "e.g. 1234-5678-1234" in found


def test_no_pictographic_emoji_that_renders_as_a_box(fresh_sandbox):
    """Issue 20, item 7: "🔁" showed as a box where no emoji font is installed (a server's
    Voila); symbols from the fonts every browser has (✔ ✘ ★ ⚠) stay."""
    from helpers import widget_strings

    wizard = CreateRoleWizard(fresh_sandbox.session("target", "admin"))
    texts = widget_strings(wizard)
    for step in wizard.steps:
        texts += widget_strings(step.body)
    emoji = sorted({c for t in texts for c in t if ord(c) >= 0x1F000})
    assert emoji == [], emoji
    assert any("<b>Another AWS account</b>" in t for t in texts)
