"""Plugins: the example plugin installed from examples/, found by its entry
point; hooks documented; the built-in plugin registered like a third party's."""
from __future__ import annotations

import inspect
import json
import re
import subprocess
import sys

import pytest

from conftest import FOLDER, REPO
from lora_lint import hookspecs

PLUGIN = REPO / "examples" / "lora-lint-example-plugin"


@pytest.fixture(scope="module")
def plugin_site(tmp_path_factory):
    """The example plugin, pip-installed (built as a wheel) into its own folder."""
    target = tmp_path_factory.mktemp("site")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation", "--target", str(target), str(PLUGIN)],
        check=True,
        capture_output=True,
    )
    return target


def test_example_plugin_pack_and_kind_are_picked_up(run_process, plugin_site, dataset):
    env = {"PYTHONPATH": str(plugin_site)}
    listed = run_process("plugins", env=env)
    assert "example\n  packs: example.lora\n  rule kinds: max-tags" in listed.out
    (dataset / FOLDER / "001.txt").write_text("ohwx woman, " + ", ".join(f"tag{i}" for i in range(40)) + ", signature\n")
    result = run_process("check", dataset, "--format", "json", "--select", "too-many-tags,watermark-tag", env=env)
    assert result.code == 1, result.err
    assert sorted(f["rule"] for f in result.json["findings"]) == ["too-many-tags", "watermark-tag"]
    assert "42 tags; past 30" in result.out


def test_example_plugin_fixtures_pass(run_process, plugin_site):
    result = run_process("test-pack", plugin_site / "lora_lint_example", env={"PYTHONPATH": str(plugin_site)})
    assert result.code == 0, result.out


def test_lora_lint_plugins_limits_what_loads(run_process, plugin_site):
    result = run_process("plugins", env={"PYTHONPATH": str(plugin_site), "LORA_LINT_PLUGINS": "builtin"})
    assert "example" not in result.out


def test_a_plugin_that_fails_to_import_is_named(run_process, tmp_path):
    info = tmp_path / "broken_plugin-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: broken-plugin\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[lora_lint]\nbroken = broken_plugin_module\n")
    result = run_process("rules", env={"PYTHONPATH": str(tmp_path)})
    assert result.code == 2
    assert "plugin 'broken' (broken_plugin_module) failed to load" in result.err


def test_builtin_plugin_is_registered_through_the_entry_point():
    from importlib.metadata import entry_points

    assert [p.value for p in entry_points(group="lora_lint") if p.name == "builtin"] == ["lora_lint.builtin"]


def _hookspecs():
    return [(name, fn) for name, fn in inspect.getmembers(hookspecs, inspect.isfunction) if name.startswith("lora_lint_")]


def test_every_hook_is_documented_in_the_readme_with_its_signature():
    readme = (REPO / "README.md").read_text()
    for name, function in _hookspecs():
        signature = f"{name}{inspect.signature(function)}".replace("'", "")
        assert f"### `{signature}`" in readme, f"README lacks a section for {signature}"
        assert function.__doc__, f"{name} has no docstring"


def test_hook_sections_in_the_readme_all_exist():
    readme = (REPO / "README.md").read_text()
    documented = set(re.findall(r"### `(lora_lint_\w+)\(", readme))
    assert documented == {name for name, _ in _hookspecs()}


def _fake_plugin(tmp_path, source: str, name: str = "mine") -> dict:
    """A module registered in the lora_lint entry-point group, as pip would."""
    (tmp_path / f"{name}_plugin.py").write_text(source)
    info = tmp_path / f"{name}_plugin-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}-plugin\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[lora_lint]\n{name} = {name}_plugin\n")
    return {"PYTHONPATH": str(tmp_path)}


RAISING_KIND = '''
import tempfile, pathlib, lora_lint
from lora_lint import schema

class Boom:
    NAME = "boom"
    SCOPE = "caption"
    PARAMS = {}
    PLACEHOLDERS = ()
    FIXES = {}
    def check(self, caption, rule):
        raise ZeroDivisionError("division by zero")

PACK = pathlib.Path(tempfile.mkdtemp()) / "boom.lora"
PACK.write_text('rule boom-rule {\\n kind boom\\n message "x"\\n}\\n')

@lora_lint.hookimpl
def lora_lint_rule_kinds():
    return [Boom()]

@lora_lint.hookimpl
def lora_lint_packs():
    return [PACK]
'''


def test_a_kind_that_raises_is_named_with_its_plugin_and_file_while_the_rest_completes(run_process, tmp_path, dataset):
    result = run_process("check", dataset, "--format", "json", env=_fake_plugin(tmp_path, RAISING_KIND))
    assert result.code == 2
    (line,) = result.err.splitlines()  # named once, not once a caption
    assert "001.txt: rule 'boom-rule' (kind 'boom' from plugin 'mine') failed in check: ZeroDivisionError: division by zero" in line
    assert "Traceback" not in result.err
    report = json.loads(result.out)
    assert {"identity-leak", "trigger-word", "caption-pairing"} <= {f["rule"] for f in report["findings"]}
    assert report["summary"]["errors"] == [line.removeprefix("lora-lint: error: ")]


@pytest.mark.parametrize("step", ["fold", "judge"])
def test_a_dataset_kind_that_raises_is_named_while_the_rest_completes(run_process, tmp_path, dataset, step):
    source = RAISING_KIND.replace('SCOPE = "caption"', 'SCOPE = "dataset"').replace(
        "    def check(self, caption, rule):\n        raise ZeroDivisionError(\"division by zero\")",
        "    def start(self):\n        return 0\n    def merge(self, a, b):\n        return a + b\n"
        "    def fold(self, summary, item, caption, rule):\n        FOLD\n    def judge(self, summary, rule, where):\n        JUDGE\n        return []",
    )
    source = source.replace("FOLD", "1 / 0" if step == "fold" else "pass").replace("JUDGE", "1 / 0" if step == "judge" else "pass")
    result = run_process("check", dataset, "--format", "json", "--jobs", "2", env=_fake_plugin(tmp_path, source))
    assert result.code == 2 and f"rule 'boom-rule' (kind 'boom' from plugin 'mine') failed in {step}: ZeroDivisionError" in result.err
    assert len(result.err.splitlines()) == 1
    assert "identity-leak" in {f["rule"] for f in json.loads(result.out)["findings"]}


def test_a_kind_with_a_bad_scope_is_refused(run_process, tmp_path):
    source = RAISING_KIND.replace('SCOPE = "caption"', 'SCOPE = "folder"')
    result = run_process("rules", env=_fake_plugin(tmp_path, source))
    assert result.code == 2 and "rule kind 'boom' with SCOPE 'folder'" in result.err


def test_two_plugins_may_not_give_one_format(run_process, tmp_path):
    source = "import lora_lint\n@lora_lint.hookimpl\ndef lora_lint_reporters():\n    return {'json': print}\n"
    result = run_process("check", tmp_path, env=_fake_plugin(tmp_path, source))
    assert result.code == 2 and "plugins 'builtin' and 'mine' both give format 'json'" in result.err


def test_lora_lint_plugins_naming_a_missing_plugin_is_an_error(run_process):
    result = run_process("plugins", env={"LORA_LINT_PLUGINS": "builtin,nope"})
    assert result.code == 2 and "not installed: nope" in result.err
