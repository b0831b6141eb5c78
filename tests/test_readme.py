"""The README's examples are real: its pack passes its fixtures, its tour
output is what `lora-lint check` prints."""
from __future__ import annotations

import re

from conftest import EXAMPLE, REPO

README = (REPO / "README.md").read_text()


def test_readme_pack_and_fixtures_pass(run, tmp_path):
    pack = re.search(r"```\n# my-rules.lora\n(.*?)```", README, re.S).group(1)
    fixtures = re.search(r"```yaml\n(settings: \{lora: character.*?)```", README, re.S).group(1)
    (tmp_path / "my-rules.lora").write_text(pack)
    (tmp_path / "my-rules.fixtures.yaml").write_text(fixtures)
    result = run("test-pack", tmp_path / "my-rules.lora")
    assert result.code == 0, result.out


def test_readme_tour_shows_the_real_check_output(run, monkeypatch):
    monkeypatch.chdir(EXAMPLE.parent.parent)
    shown = re.search(r"\$ lora-lint check examples/character-dataset\n(.*?)\$ echo", README, re.S).group(1)
    result = run("check", "examples/character-dataset", "--no-color")
    assert result.out == shown


def test_readme_prompt_example_is_what_the_command_prints(run):
    shown = re.search(r"\$ lora-lint prompts (.*?)\n(a 25 .*?)\n\.\.\.\n(negative: .*?)\n(30 character prompts.*?)```", README, re.S)
    command = shown.group(1).replace("\\\n   ", "")
    args = re.findall(r'"[^"]*"|\S+', command)
    result = run("prompts", *[a.strip('"') for a in args], "--no-color")
    assert result.out.splitlines()[0] == shown.group(2)
    assert [line.rstrip() for line in result.err.splitlines()] == [shown.group(3), *shown.group(4).rstrip("\n").splitlines()]


def _shown(command: str) -> str:
    return re.search(rf"\$ lora-lint {re.escape(command)}\n(.*?)```", README, re.S).group(1)


def _lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.splitlines()]


def test_readme_plan_and_doctor_output_is_what_the_commands_print(run, monkeypatch):
    monkeypatch.chdir(EXAMPLE.parent.parent)
    plan = run("plan", "examples/character-dataset", "--gpu", "RTX 3060", "--no-color")
    assert _lines(plan.out) == _lines(_shown('plan examples/character-dataset --gpu "RTX 3060"'))
    doctor = run("doctor", "examples/character-dataset", "--symptom", "underfitting", "--no-color")
    assert _lines(doctor.out) == _lines(_shown("doctor examples/character-dataset --symptom underfitting"))


def test_readme_training_pack_adds_a_card(run, tmp_path):
    pack = re.search(r"```\n# my-training.lora\n(.*?)```", README, re.S).group(1)
    (tmp_path / "my-training.lora").write_text(pack)
    import shutil

    dataset = tmp_path / "ds"
    shutil.copytree(EXAMPLE, dataset)
    settings = dataset / ".lora-lint.yaml"
    settings.write_text(settings.read_text() + f"packs: [{tmp_path / 'my-training.lora'}]\n")
    plan = run("plan", dataset, "--gpu", "RTX 4070 Ti", "--format", "json")
    assert plan.code == 0, plan.err
    assert plan.json["gpu"]["title"] == "RTX 4070 Ti" and plan.json["settings"]["rank"]["value"] == 16
    assert "warmup 10%" in plan.json["settings"]["warmup_steps"]["source"]


def test_readme_chinese_example_is_what_check_prints(run, monkeypatch):
    monkeypatch.chdir(EXAMPLE.parent.parent)
    command, shown = re.search(r"\$ lora-lint (check examples/character-dataset --lang zh-TW [^\n]*)\n(.*?)\.\.\.\n```", README, re.S).groups()
    result = run(*command.split(), "--no-color")
    assert result.out.startswith(shown)
