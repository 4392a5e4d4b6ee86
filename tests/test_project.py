"""Project-wide guarantees: architecture, vendored assets, and docs that stay complete."""

from __future__ import annotations

import ast
import hashlib
import re
import subprocess
import sys
from pathlib import Path

from care.clinic_settings import documented
from server.settings import ENV_INTS, ENV_OTHER
from server.web import leaf_routes

ROOT = Path(__file__).resolve().parents[1]
HTMX_SHA256 = "d6fdc75f204e6bdefa99b69bf1e6d4ac69b8a364f77929f45c13476b4000f717"  # htmx.org 2.0.11, htmx.min.js


def test_the_vendored_htmx_is_the_pinned_release():
    data = (ROOT / "static/vendor/htmx-2.0.11.min.js").read_bytes()
    assert hashlib.sha256(data).hexdigest() == HTMX_SHA256
    assert b'version:"2.0.11"' in data


def test_the_base_template_loads_the_pinned_htmx_with_eval_off():
    base = (ROOT / "templates/base.html").read_text()
    assert 'src="/static/vendor/htmx-2.0.11.min.js"' in base
    assert '"allowEval":false' in base and '"includeIndicatorStyles":false' in base


def test_rooms_import_one_way_only():
    linter = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(linter)], cwd=ROOT, capture_output=True, text=True, timeout=120)  # noqa: S603
    assert done.returncode == 0, done.stdout + done.stderr
    assert "server <- care <- journal <- notes <- oversight <- interop" in done.stdout and "KEPT" in done.stdout


def test_no_template_marks_text_safe():
    for path in (ROOT / "templates").rglob("*.html"):
        assert "|safe" not in path.read_text().replace(" ", ""), path


def test_every_audit_action_is_documented(app):
    doc = (ROOT / "docs/audit-actions.md").read_text()
    assert app.state.registry.actions
    for action in app.state.registry.actions:
        assert f"| `{action}` |" in doc, f"{action} missing from docs/audit-actions.md"


def test_every_policy_action_and_route_is_documented(app):
    doc = (ROOT / "docs/permissions.md").read_text()
    for action in app.state.registry.rules:
        assert f"| `{action}` |" in doc, f"{action} missing from docs/permissions.md"
    for r in leaf_routes(app.routes):
        roles = ", ".join(sorted(r.endpoint.roles))
        for method in sorted(r.methods - {"HEAD"}):
            assert f"| `{method} {r.path}` | {roles} |" in doc, f"{method} {r.path} ({roles}) missing"


def test_every_setting_is_documented():
    doc = (ROOT / "docs/settings.md").read_text()
    for name in [*ENV_INTS, *ENV_OTHER]:
        assert f"| `{name}` |" in doc, f"{name} missing from docs/settings.md"


def test_every_clinic_setting_is_documented_with_its_default_and_range():
    doc = (ROOT / "docs/settings.md").read_text()
    for row in documented():
        assert row in doc, f"docs/settings.md lacks or misstates: {row}"


def test_the_readme_gives_the_two_setup_commands():
    readme = (ROOT / "README.md").read_text()
    assert re.search(r"^make run$", readme, re.M) and re.search(r"^make test$", readme, re.M)


def test_ci_runs_the_readme_test_command_on_both_databases():
    ci = (ROOT / ".ci/run").read_text()
    assert "make test" in ci and "TEST_DATABASE_URL" in ci


def _service_calls(handler: ast.AsyncFunctionDef) -> list[str]:
    """Awaited calls in a handler other than the web layer's own helpers and the module's private render helpers."""
    web = {"form", "render", "redirect", "actor", "url", "is_htmx"}
    calls = []
    for node in ast.walk(handler):
        if isinstance(node, ast.Await) and isinstance(node.value, ast.Call):
            name = ast.unparse(node.value.func)
            if name.split(".")[-1] not in web and not name.startswith("_"):
                calls.append(name)
    return calls


def test_handlers_are_thin():
    """Every handler parses, makes at most one service call and renders, in 20 lines or fewer; so do the private
    helpers handlers share."""
    for path in sorted(ROOT.glob("*/*routes.py")):
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.AsyncFunctionDef | ast.FunctionDef):
                lines = node.end_lineno - node.lineno + 1  # type: ignore[operator]
                assert lines <= 20, f"{path.name}:{node.lineno} {node.name} is {lines} lines"
            if isinstance(node, ast.AsyncFunctionDef):
                calls = _service_calls(node)
                assert len(calls) <= 1, f"{path.name}:{node.lineno} {node.name} calls {calls}"


def test_no_file_is_over_400_lines():
    patterns = ["*.py", "*.html", "*.md", "*.css", "*.js"]
    tracked = subprocess.run(["git", "ls-files", *patterns], cwd=ROOT, capture_output=True, text=True)  # noqa: S603, S607
    for name in tracked.stdout.split():
        if name.startswith("static/vendor/") or not (ROOT / name).exists():
            continue
        count = len((ROOT / name).read_text().splitlines())
        assert count <= 400, f"{name} is {count} lines"
