"""Every example of docs/api.md runs against a live server and prints what the guide says it prints.

The guide marks each runnable block with `<!-- exemple: NAME -->` just above its fence. Blocks run in
the guide's order, like a reader following it: the `bash` blocks one by one in a shared working
folder, the `python` blocks one after the other in one interpreter (later blocks reuse the
`graphql` helper of the first). The server's address replaces `http://127.0.0.1:8000`;
`PORTAIL_URL`, `PORTAIL_TOKEN` and the variables the guide asks the reader to set come from the
environment. A ```json or ```text block right after an example is its expected output.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from backend.settings import PROJECT_ROOT
from tests.docs.conftest import MANAGER, DemoServer

GUIDE = PROJECT_ROOT / "docs" / "api.md"
DEFAULT_URL = "http://127.0.0.1:8000"
FENCE = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```\s*$", re.MULTILINE | re.DOTALL)
MARKER = re.compile(r"<!-- exemple: ([\w-]+) -->\s*$")
SEPARATOR = "@@exemple:{}@@"
#: Output values that differ from one database to another.
VARYING_KEYS = {"id", "downloadUrl"}


@dataclass
class Example:
    name: str
    language: str
    code: str
    expected_language: str | None = None
    expected: str | None = None


def parse_guide(text: str) -> list[Example]:
    """The marked examples, in order, each with the output block that follows it (if any)."""
    examples: list[Example] = []
    fences = list(FENCE.finditer(text))
    for i, fence in enumerate(fences):
        language = fence.group(1)
        before = text[: fence.start()].rstrip("\n").rsplit("\n", 1)[-1]
        marker = MARKER.search(before)
        if language in {"bash", "sh", "python"}:
            assert marker, (
                f"docs/api.md: a ```{language} block without an `<!-- exemple: … -->` marker:\n{fence.group(2)[:200]}"
            )
            example = Example(marker.group(1), language, fence.group(2))
            following = fences[i + 1] if i + 1 < len(fences) else None
            if following and following.group(1) in {"json", "text"}:
                between = text[fence.end() : following.start()]
                if "<!-- exemple:" not in between:
                    example.expected_language = following.group(1)
                    example.expected = following.group(2)
            examples.append(example)
    return examples


def clean_environment(server: DemoServer, token: str, extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in server.env.items() if "proxy" not in k.lower()}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.update({"PORTAIL_URL": server.url, "PORTAIL_TOKEN": token, **extra})
    return env


def normalise(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: "…" if k in VARYING_KEYS else normalise(v) for k, v in value.items()}
    if isinstance(value, list):
        return [normalise(v) for v in value]
    return value


@pytest.fixture(scope="module")
def guide_run(demo_server: DemoServer, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Runs every example once, in the guide's order; answers each one's output (stdout, then stderr)."""
    if shutil.which("curl") is None:
        pytest.fail("curl is missing: the guide's examples use it (apt-get install curl).")
    examples = parse_guide(GUIDE.read_text())
    token = demo_server.create_token(MANAGER, name="guide", write=True)
    structure = demo_server.graphql(
        token, '{ structure(identifierType: SIRET, identifier: "81234567600017") { id } }'
    )["data"]["structure"]
    variables = {"STRUCTURE_ID": structure["id"], "DOWNLOAD_URL": ""}
    folder = tmp_path_factory.mktemp("guide")
    outputs: dict[str, str] = {}

    python = [e for e in examples if e.language == "python"]
    script = "\n".join(
        f"print({SEPARATOR.format(e.name)!r}, flush=True)\n{e.code.replace(DEFAULT_URL, demo_server.url)}"
        for e in python
    )
    pending_python = True
    for example in examples:
        if example.language == "python":
            if pending_python:  # the whole Python session, when its first block comes
                pending_python = False
                run = subprocess.run(
                    [sys.executable, "-c", script],
                    cwd=folder,
                    env=clean_environment(demo_server, token, variables),
                    capture_output=True,
                    text=True,
                    timeout=180,
                )
                parts = re.split(r"@@exemple:([\w-]+)@@\n", run.stdout)
                for name, output in zip(parts[1::2], parts[2::2], strict=True):
                    outputs[name] = output
                failed = [e.name for e in python if e.name not in outputs]
                last = list(outputs)[-1] if outputs else None
                if run.returncode != 0 and last:
                    outputs[last] += f"\n[exit {run.returncode}]\n{run.stderr}"
                for name in failed:
                    outputs[name] = f"[not run: an earlier block failed]\n{run.stderr}"
            continue
        run = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", example.code.replace(DEFAULT_URL, demo_server.url)],
            cwd=folder,
            env=clean_environment(demo_server, token, variables),
            capture_output=True,
            text=True,
            timeout=120,
        )
        outputs[example.name] = run.stdout + (
            f"\n[exit {run.returncode}]\n{run.stderr}" if run.returncode else ""
        )
        outputs[example.name + ":stderr"] = run.stderr
        if example.name == "curl-upload" and run.returncode == 0:
            document = json.loads(run.stdout)["data"]["uploadStructureDocument"]["document"]
            variables["DOWNLOAD_URL"] = document["downloadUrl"]
    return outputs


def _examples() -> list[Example]:
    return parse_guide(GUIDE.read_text())


# What examples without an output block in the guide must print.
CHECKS = {
    "jeton": lambda out: out.startswith("jeton créé : pot_"),
    "python-variables": lambda out: re.fullmatch(
        r"Boulangerie Martin et Fils — \d+ service\(s\)", out.strip()
    ),
}


@pytest.mark.parametrize("example", _examples(), ids=lambda e: e.name)
def test_the_example_prints_what_the_guide_says(example: Example, guide_run: dict[str, str]) -> None:
    output = guide_run[example.name]
    assert "[exit " not in output and "[not run" not in output, output
    if example.expected is not None:
        if example.expected_language == "json":
            assert normalise(json.loads(output)) == normalise(json.loads(example.expected)), output
        else:
            assert output.strip().splitlines() == example.expected.strip().splitlines(), output
    else:
        assert example.name in CHECKS, f"say what `{example.name}` must print: an output block, or CHECKS"
        assert CHECKS[example.name](output), output


def test_the_token_of_the_guide_exists_with_its_rights(guide_run: dict[str, str]) -> None:
    assert "Notez ce secret" in guide_run["jeton:stderr"]


def test_every_runnable_block_of_the_guide_is_an_example() -> None:
    text = GUIDE.read_text()
    runnable = [m for m in FENCE.finditer(text) if m.group(1) in {"bash", "sh", "python", "shell", "console"}]
    examples = _examples()
    assert len(examples) == len(runnable) >= 10
    assert len({e.name for e in examples}) == len(examples), "two examples share a name"


def test_the_guide_quotes_the_current_permission_matrix() -> None:
    check = subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "scripts" / "sync_api_guide.py"), "--check"], capture_output=True
    )
    assert check.returncode == 0, "docs/api.md quotes a stale matrix: run `bash scripts/refresh-artifacts.sh`"


def test_the_guide_links_to_files_that_exist() -> None:
    for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", GUIDE.read_text()):
        assert (GUIDE.parent / target).exists(), f"docs/api.md links to a missing file: {target}"
