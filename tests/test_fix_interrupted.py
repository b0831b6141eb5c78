"""Killing `lora-lint fix` halfway leaves every caption old or new, never cut."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

OLD = "close-up, front view, gentle smile, looking at viewer, white blouse, simple background, soft lighting, tag{n}\n"
NEW = "ohwx woman, " + OLD
PNG = b"\x89PNG\r\n\x1a\n"


def test_a_killed_fix_leaves_no_caption_half_written(tmp_path):
    folder = tmp_path / "img" / "10_ohwx woman"
    folder.mkdir(parents=True)
    (tmp_path / ".lora-lint.yaml").write_text("lora: character\nmodel: sdxl\nselect: [trigger-word]\n")
    count = 3000
    for n in range(count):
        (folder / f"{n:05d}.txt").write_text(OLD.format(n=n))
        (folder / f"{n:05d}.png").write_bytes(PNG)
    script = Path(sys.executable).with_name("lora-lint")
    env = {**os.environ, "LORA_LINT_CACHE_DIR": str(tmp_path / "cache")}
    for delay in (0.6, 0.9, 1.2, 2.0, 3.0):
        process = subprocess.Popen([str(script), "fix", str(tmp_path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        states = {"old": 0, "new": 0}
        for n in range(count):
            text = (folder / f"{n:05d}.txt").read_text()
            assert text in (OLD.format(n=n), NEW.format(n=n)), f"{n:05d}.txt is neither old nor new: {text!r}"
            states["new" if text.startswith("ohwx") else "old"] += 1
        if states["old"] and states["new"]:
            break  # killed in the middle of the writes: the case this test is about
    assert states["new"], "the fix never got to write before it was killed"
