"""Plugins: the example plugin installed from examples/, found by its entry
point; hooks documented; the built-in plugin registered like a third party's."""
from __future__ import annotations

import inspect
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
