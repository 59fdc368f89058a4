"""Copies the « Actions » table of the generated permission matrix (docs/permissions.md) into the API
guide (docs/api.md), between its `permissions:début` and `permissions:fin` markers.

    .venv/bin/python scripts/sync_api_guide.py          # rewrites the block
    .venv/bin/python scripts/sync_api_guide.py --check  # exit 1 when the guide is stale
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MATRIX = ROOT / "docs" / "permissions.md"
GUIDE = ROOT / "docs" / "api.md"
BLOCK = re.compile(r"(<!-- permissions:début[^\n]*-->\n)(.*?)(<!-- permissions:fin -->)", re.DOTALL)


def actions_table(matrix: str) -> str:
    section = matrix.split("\n## Actions\n", 1)[1]
    section = section.split("\n## ", 1)[0]
    return "\n".join(line for line in section.strip().splitlines() if line.startswith("|")) + "\n"


def synced(guide: str, matrix: str) -> str:
    if not BLOCK.search(guide):
        raise SystemExit("docs/api.md: the permissions:début / permissions:fin markers are missing")
    return BLOCK.sub(lambda m: m.group(1) + "\n" + actions_table(matrix) + "\n" + m.group(3), guide, count=1)


def main() -> int:
    guide, matrix = GUIDE.read_text(), MATRIX.read_text()
    expected = synced(guide, matrix)
    if "--check" in sys.argv[1:]:
        return 0 if expected == guide else 1
    if expected != guide:
        GUIDE.write_text(expected)
    return 0


if __name__ == "__main__":
    sys.exit(main())
