#!/usr/bin/env bash
# Regenerates the checked artefacts from the code: schema.graphql, the contract's pending list,
# and the permission matrix. Tests fail when any of them is stale.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/portail export-schema >/dev/null
.venv/bin/portail permissions >/dev/null
.venv/bin/python scripts/sync_api_guide.py   # docs/api.md quotes the matrix's « Actions » table
{
  echo "# What ../shared/contract/schema.graphql has and the code does not provide yet, one path a line."
  echo "# Kept true by tests/unit/test_schema_artifact.py: remove a line when its item is built."
  .venv/bin/python -c "
from tests.contract import missing_from_code
from backend.schema import export_sdl
print('\n'.join(sorted(missing_from_code(export_sdl()))))"
} > tests/contract_pending.txt
echo "schema.graphql, docs/permissions.md (and its table in docs/api.md) and tests/contract_pending.txt regenerated"
