# Sourced by the tools: paths, progress and failure reporting.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
export PATH="$ROOT/.venv/bin:$PATH"
# VBS_COLLECTIONS_PATH: run against another tree, e.g. .cache/collections (the work tree, linked)
export ANSIBLE_COLLECTIONS_PATH="${VBS_COLLECTIONS_PATH:-$ROOT/.cache/installed}"
export ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0 PIP_DISABLE_PIP_VERSION_CHECK=1
export VBS_LAB_HOME="${VBS_LAB_HOME:-$ROOT/.cache/lab}"

step() { printf '\n==> %s\n' "$*"; }
ok() { printf '    ok: %s\n' "$*"; }
die() { printf '\nFAILED: %s\n' "$*" >&2; exit 1; }
