#!/usr/bin/env bash
# One-off for the integrator of issue #14 (the house refactor); delete it once it has run.
#
# The tests' shared builders and helpers are named three ways (tests/factories.py,
# tests/forum_factories.py, tests/*_support.py, tests/helpers.py). This gathers them in
# one package, tests/support/, with `git mv` (history follows), and rewrites every
# reference in the tracked files: dotted imports (`from tests.factories import ...`) and
# paths in the docs (`tests/factories.py`).
#
#   tests/factories.py        -> tests/support/factories.py
#   tests/forum_factories.py  -> tests/support/forum.py
#   tests/helpers.py          -> tests/support/observe.py   (emails sent, statements run)
#   tests/<name>_support.py   -> tests/support/<name>.py    (every one there is when it runs:
#                                                            insights, moderation, tracking,
#                                                            trials, and any added since)
#
# Usage, from anywhere in the repository, after merging every branch and on a clean tree:
#   scripts/move_test_support.sh --dry-run   # print the moves and the files it would edit
#   scripts/move_test_support.sh             # move, rewrite, re-sort imports, stage it all
#   git diff --cached --stat && pytest -q -n 2 && git commit -m "Test helpers live in tests/support/"
#   (docs/DESIGN.md: drop "(planned)" and the "Until the integrator runs ..." sentence at tests/support/)
#   git rm scripts/move_test_support.sh
#
# RUFF=/path/to/ruff picks the ruff that re-sorts the rewritten import blocks (default:
# .venv/bin/ruff, then ruff on PATH); without one it says so and leaves the order alone.
set -euo pipefail

cd "$(git rev-parse --show-toplevel)"
SELF="scripts/move_test_support.sh"

dry_run=0
case "${1:-}" in
  "") ;;
  --dry-run) dry_run=1 ;;
  *) echo "usage: $SELF [--dry-run]" >&2; exit 2 ;;
esac

# old module name (under tests/) -> new module name (under tests/support/), in a fixed order
olds=(factories forum_factories helpers)
news=(factories forum observe)
for path in tests/*_support.py; do
  [[ -e "$path" ]] || continue
  name="$(basename "$path" .py)"
  olds+=("$name")
  news+=("${name%_support}")
done

fail() { echo "move_test_support: $*" >&2; exit 1; }

# Everything checked before anything moves.
for i in "${!olds[@]}"; do
  old="tests/${olds[$i]}.py"
  new="tests/support/${news[$i]}.py"
  git ls-files --error-unmatch "$old" >/dev/null 2>&1 || fail "$old is not a tracked file (already moved?)"
  [[ ! -e "$new" ]] || fail "$new already exists"
done
if [[ $dry_run -eq 0 && -n "$(git status --porcelain --untracked-files=no)" ]]; then
  fail "the working tree has uncommitted changes: commit or stash them first, so the move is one reviewable commit"
fi

# The tracked files that name an old module: dotted (tests.factories) or as a path (tests/factories.py).
pattern="tests[./]($(IFS='|'; echo "${olds[*]}"))\\b"
mapfile -t touched < <(git grep -lE "$pattern" -- . ":(exclude)$SELF" || true)

if [[ $dry_run -eq 1 ]]; then
  for i in "${!olds[@]}"; do echo "git mv tests/${olds[$i]}.py tests/support/${news[$i]}.py"; done
  echo "rewrite references in ${#touched[@]} files:"
  printf '  %s\n' "${touched[@]}"
  exit 0
fi

mkdir -p tests/support
if [[ ! -e tests/support/__init__.py ]]; then
  printf '%s\n' '"""What the tests share: builders of rows (factories, forum, tracking, ...) and readers of what the app did (observe)."""' \
    > tests/support/__init__.py
  git add tests/support/__init__.py
fi

for i in "${!olds[@]}"; do
  git mv "tests/${olds[$i]}.py" "tests/support/${news[$i]}.py"
done

# Rewrite every reference. A moved file can name another old module (moderation_support
# imports factories), so the list of files to edit is taken again after the moves.
mapfile -t touched < <(git grep -lE "$pattern" -- . ":(exclude)$SELF" || true)
expressions=()
for i in "${!olds[@]}"; do
  expressions+=(-e "s#\\btests\\.${olds[$i]}\\b#tests.support.${news[$i]}#g")
  expressions+=(-e "s#\\btests/${olds[$i]}\\.py\\b#tests/support/${news[$i]}.py#g")
done
if [[ ${#touched[@]} -gt 0 ]]; then
  sed -i -E "${expressions[@]}" "${touched[@]}"
fi

left="$(git grep -nE "$pattern" -- . ":(exclude)$SELF" || true)"
[[ -z "$left" ]] || fail "references the rewrite missed (fix by hand):
$left"

# `tests.helpers` sorted before `tests.moderation_support`; `tests.support.observe` sorts
# after `tests.support.moderation`: put the rewritten import blocks back in ruff's order.
ruff="${RUFF:-}"
if [[ -z "$ruff" ]]; then
  if [[ -x .venv/bin/ruff ]]; then ruff=.venv/bin/ruff; elif command -v ruff >/dev/null; then ruff=ruff; fi
fi
mapfile -t python_files < <(printf '%s\n' "${touched[@]}" | grep '\.py$' || true)
if [[ -n "$ruff" && ${#python_files[@]} -gt 0 ]]; then
  "$ruff" check --quiet --select I --fix "${python_files[@]}"
elif [[ ${#python_files[@]} -gt 0 ]]; then
  echo "move_test_support: no ruff found: run \`ruff check --select I --fix tests\` to re-sort imports" >&2
fi

if [[ ${#touched[@]} -gt 0 ]]; then
  git add -- "${touched[@]}"
fi
echo "Moved ${#olds[@]} files into tests/support/ and rewrote references in ${#touched[@]} files (staged)."
echo "Next: git diff --cached --stat; run the suite; in docs/DESIGN.md's Layout drop \"(planned)\" and the"
echo "\"Until the integrator runs $SELF\" sentence under tests/support/; commit; git rm $SELF"
