#!/usr/bin/env bash
# Proves that a clone with nothing beside it has everything make test, make
# demo, the benchmarks, the fuzzers and the soak read: none of them may reach
# outside the checkout (developer machines keep Microsoft's samples and other
# material beside it; CI and other people do not).
#   scripts/check-standalone.sh
# In a fresh copy of the tracked files (all files when not in git), it checks:
#  (a) no source, script or Makefile names ../shared, shared/graph-samples,
#      shared/cases or an absolute /work/ path, except lines carrying the token
#      "standalone-check: optional-external", which only a test file whose suite
#      is gated with .enabled(if:) may hold (the published-samples extra);
#  (b) every path the Swift tests, benchmarks, fuzzers and soak name relative
#      to the repository (fixture("..."), "Examples/...", "docs/...",
#      "Tests/Fixtures/...") exists in the copy, so nothing they read is
#      untracked;
#  (c) only Tests/SecScoreTestSupport/Support.swift computes the repository
#      root from #filePath.
set -euo pipefail
cd "$(dirname "$0")/.."

copy=$(mktemp -d "${TMPDIR:-/tmp}/secscore-standalone-XXXXXX")
trap 'rm -rf "$copy"' EXIT

if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  # Tracked files as they are in the work tree (a tracked file deleted but
  # not yet committed is left out: a clone made after the commit lacks it).
  git ls-files -z --cached | while IFS= read -r -d '' f; do
    [ -e "$f" ] && printf '%s\0' "$f"
  done | tar --null -T - -cf - | tar -xf - -C "$copy"
  source="git ls-files"
else
  tar --exclude=.build --exclude='.build-*' --exclude='.build_*' --exclude=.swiftpm --exclude=.git \
    -cf - . | tar -xf - -C "$copy"
  source="not a git checkout: every file but build output"
fi
echo "check-standalone: copied $(find "$copy" -type f | wc -l) files ($source) to $copy"

python3 - "$copy" <<'PY'
import os, re, sys

root = sys.argv[1]
TOKEN = "standalone-check: optional-external"
SELF = "scripts/check-standalone.sh"  # names the patterns it looks for
OUTSIDE = re.compile(r"\.\./shared|shared/graph-samples|shared/cases|/work/")
SOURCE_SUFFIXES = (".swift", ".c", ".h", ".sh", ".py", ".proto", ".mk", ".yml", ".yaml")

def files():
    for folder, dirs, names in os.walk(root):
        dirs.sort()
        for name in sorted(names):
            full = os.path.join(folder, name)
            yield os.path.relpath(full, root), full

def is_source(rel, full):
    name = os.path.basename(rel)
    if name == "Makefile" or rel.endswith(SOURCE_SUFFIXES):
        return True
    try:  # scripts without a suffix
        with open(full, "rb") as f:
            return f.read(2) == b"#!"
    except OSError:
        return False

def lines(full):
    with open(full, encoding="utf-8", errors="replace") as f:
        return f.read().split("\n")

violations = []
sources = [(rel, full) for rel, full in files() if is_source(rel, full)]

def report(check, before, ok):
    found = len(violations) - before
    print(f"check-standalone: ({check}) " + (ok if found == 0 else f"{found} violation(s), listed below"))

# (a) references to folders beside the checkout or to absolute /work/ paths.
before = len(violations)
allowed = []
for rel, full in sources:
    if rel == SELF:
        continue
    text = lines(full)
    gated = rel.startswith("Tests/") and any(".enabled(if:" in l for l in text)
    for number, line in enumerate(text, 1):
        if not OUTSIDE.search(line):
            continue
        if TOKEN in line and gated:
            allowed.append(f"{rel}:{number}")
        elif TOKEN in line:
            violations.append(f"{rel}:{number}: carries '{TOKEN}' but the file has no suite gated with .enabled(if:): {line.strip()}")
        else:
            violations.append(f"{rel}:{number}: names a path outside the checkout: {line.strip()}")
report("a", before, f"none of {len(sources)} sources, scripts and Makefiles names ../shared, shared/graph-samples, "
       f"shared/cases or a /work/ path" + (f" (allowed, the gated optional test: {', '.join(allowed)})" if allowed else ""))

# (b) every path named relative to the repository exists in the copy.
READERS = ("Tests/", "Benchmarks/Sources/", "Fuzz/Sources/")
LITERALS = [
    re.compile(r'\bfixture\(\s*"((?:[^"\\]|\\.)*)"'),                      # fixture("...")
    re.compile(r'"/?((?:Examples|docs|Tests/Fixtures)/(?:[^"\\]|\\.)*)"'),  # "/Examples/..." after a root
]

def required(literal, rest):
    """The part of a named path that must exist: all of it, or for a name
    completed by interpolation or concatenation, the folder it is in."""
    if "\\(" in literal:
        literal = literal[: literal.index("\\(")]
    elif not rest.lstrip().startswith("+"):
        return literal
    return literal.rstrip("/") if literal.endswith("/") else os.path.dirname(literal)

before = len(violations)
named = set()
for rel, full in sources:
    if not (rel.endswith(".swift") and rel.startswith(READERS)):
        continue
    for number, line in enumerate(lines(full), 1):
        seen = set()
        for pattern in LITERALS:
            for match in pattern.finditer(line):
                path = required(match.group(1), line[match.end():])
                if not path or (number, path) in seen:
                    continue
                seen.add((number, path))
                named.add(path)
                if not os.path.exists(os.path.join(root, path)):
                    violations.append(f"{rel}:{number}: reads {path}, which a clone does not have (not tracked?)")
report("b", before, f"the {len(named)} repository paths the tests, benchmarks and fuzzers read all exist in the copy:\n    "
       + "\n    ".join(sorted(named)))

# (c) one place computes the repository root from #filePath.
HELPER = "Tests/SecScoreTestSupport/Support.swift"
before = len(violations)
for rel, full in sources:
    if not rel.endswith(".swift") or rel == HELPER:
        continue
    for number, line in enumerate(lines(full), 1):
        if "#filePath" in line and not line.lstrip().startswith("//"):
            violations.append(f"{rel}:{number}: computes a path from #filePath; use repositoryRoot or fixture() from {HELPER}")
report("c", before, f"only {HELPER} computes the repository root from #filePath")

if violations:
    print("check-standalone: FAILED: a clone with nothing beside it would break on these lines:", file=sys.stderr)
    for v in violations:
        print("  " + v, file=sys.stderr)
    sys.exit(1)
print("check-standalone: OK, the checkout needs nothing beside it")
PY
