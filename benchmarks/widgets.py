"""How much a widget click adds to the core call it makes (issue 4's bar: under 20 ms).

For each action - Review (plan), Apply on an unchanged role (apply no-op + read-back), Switch
role, Back to user - it prints, as medians over N runs against the embedded sandbox:

* ``click``: the whole ``button.click()``;
* ``direct``: the same core calls made directly, without the widget;
* ``click - direct``: the widget's overhead as the issue defines it;
* ``in-click core``: time spent inside core methods during the click (measured by wrapping the
  core objects the widget holds), and ``own``: click minus that, per run - the same overhead
  measured without comparing two separate samples, so it is not blurred by network jitter.

Usage: ``python benchmarks/widgets.py [N]`` (default 30). Prints figures; asserts nothing.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any

from xacct_widgets.core.switch import RoleSwitcher
from xacct_widgets.core.target import RoleSpec, TargetAccount
from xacct_widgets.sandbox import Sandbox
from xacct_widgets.widgets import CreateRoleWizard, SwitchRoleWizard

READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"


class CoreClock:
    """Wraps the public methods of core objects to add up the time spent inside them."""

    def __init__(self) -> None:
        self.spent = 0.0
        self._depth = 0

    def wrap(self, obj: Any, names: list[str]) -> None:
        for name in names:
            original = getattr(obj, name)
            setattr(obj, name, self._timed(original))

    def _timed(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            self._depth += 1
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self._depth -= 1
                if self._depth == 0:
                    self.spent += time.perf_counter() - start

        return timed

    def measure(self, action: Callable[[], Any]) -> tuple[float, float]:
        """(total seconds, seconds inside core) for one action."""
        self.spent = 0.0
        start = time.perf_counter()
        action()
        return time.perf_counter() - start, self.spent


def timed(action: Callable[[], Any]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def report(name: str, clicks: list[tuple[float, float]], direct: list[float]) -> None:
    click = statistics.median(t for t, _ in clicks)
    core = statistics.median(c for _, c in clicks)
    own = statistics.median(t - c for t, c in clicks)
    base = statistics.median(direct)
    print(
        f"{name:<22} click {click * 1e3:7.2f} ms   direct {base * 1e3:7.2f} ms   "
        f"click - direct {(click - base) * 1e3:6.2f} ms   in-click core {core * 1e3:7.2f} ms   "
        f"own {own * 1e3:5.2f} ms"
    )


def bench_create(sandbox: Sandbox, runs: int) -> None:
    session = sandbox.session("target", "admin")
    spec = RoleSpec(
        name="cross-account",
        trusted_account="9876-5432-9876",
        managed_policy_arns=[READ_ONLY],
    )
    TargetAccount(session).apply(spec)  # the role exists: plans are no-ops, applies converge
    wizard = CreateRoleWizard(session, spec=spec)
    clock = CoreClock()
    clock.wrap(
        wizard.target,
        [
            "roles",
            "managed_policies",
            "plan",
            "apply",
            "trust_relationships",
            "attached_policies",
            "inline_policies",
        ],
    )
    direct_target = TargetAccount(session)
    wizard.go(4)  # A5, permissions
    plan_clicks, plan_direct, apply_clicks, apply_direct = [], [], [], []
    for _ in range(runs):
        plan_clicks.append(clock.measure(wizard.next_button.click))  # A5 -> A6: plan
        assert wizard.step_key == "A6", wizard.error_text
        plan_direct.append(timed(lambda: direct_target.plan(spec)))
        apply_clicks.append(clock.measure(wizard.apply_button.click))  # A6 -> A7
        assert wizard.step_key == "A7", wizard.error_text

        def direct_apply() -> None:
            record = direct_target.apply(spec)
            direct_target.trust_relationships(record.name)
            direct_target.attached_policies(record.name)
            direct_target.inline_policies(record.name)

        apply_direct.append(timed(direct_apply))
        wizard.go(4)  # back to A5 (untimed)
    report("plan (Review)", plan_clicks, plan_direct)
    report("apply no-op + read", apply_clicks, apply_direct)


def bench_switch(sandbox: Sandbox, runs: int) -> None:
    session = sandbox.session("source", "operator")
    wizard = SwitchRoleWizard(session, history=":memory:")
    clock = CoreClock()
    clock.wrap(wizard.switcher, ["switch", "back", "frame", "switch_entry"])
    clock.wrap(wizard.switcher.history, ["frame", "entries", "bookmarks", "record"])
    clock.wrap(wizard.source, ["whoami", "preflight"])
    direct = RoleSwitcher(session, history=":memory:")
    direct.base_identity  # noqa: B018 -- cached, as the wizard's is after B1
    wizard.next_button.click()
    wizard.account.value, wizard.role.value = "123456781234", "cross-account"
    wizard.display_name.value, wizard.color.value = "prod", "B7CA9D"
    wizard.next_button.click()  # B5
    switch_clicks, switch_direct, back_clicks, back_direct = [], [], [], []
    for _ in range(runs):
        switch_clicks.append(clock.measure(wizard.switch_button.click))
        assert wizard.active is not None, wizard.error_text
        back_clicks.append(clock.measure(wizard.back_to_user_button.click))
        assert wizard.active is None
        switch_direct.append(
            timed(lambda: direct.switch("123456781234", "cross-account", "prod", "B7CA9D"))
        )
        back_direct.append(timed(direct.back))
        wizard.go(2)  # back to B5 (its preflight is not timed)
    report("switch", switch_clicks, switch_direct)
    report("back to user", back_clicks, back_direct)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    # Keep the benchmark's switches out of the user's real role history.
    os.environ.setdefault("XACCT_HISTORY", os.path.join(tempfile.mkdtemp(), "history.sqlite3"))
    with Sandbox() as sandbox:
        print(f"widget overhead per action, median of {runs} runs (embedded sandbox, no latency)")
        bench_create(sandbox, runs)
        bench_switch(sandbox, runs)


if __name__ == "__main__":
    main()
