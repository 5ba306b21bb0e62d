#!/usr/bin/env python3
"""Rejects a `do throws(E)` inside a closure handed to a task.

Swift 6.3.1 at -O miscompiles a closure given to `group.addTask` (and the
other task-starting calls) that returns from inside a typed `do throws(E)`
and its `catch`: the task's result comes back as garbage and release builds
trap, while debug builds, which the test suite uses, work. `secscore
evaluate --fleet` crashed that way (FleetEvaluator). Move such code into a
function and call it from the closure.

usage: check-task-closures.py [FILE_OR_DIR ...]   (default: Sources)
Exit 1 and one line per finding (file:line) when the shape is found.
"""
import os
import re
import sys

TASK_START = re.compile(r'\b(addTask(?:UnlessCancelled)?|Task(?:\.detached|\.immediate)?)\s*(\([^()]*\))?\s*\{')
TYPED_DO = re.compile(r'\bdo\s+throws\s*\(')


def strip(text):
    """Blanks comments and string literals, keeping offsets and newlines."""
    out, i, n = [], 0, len(text)
    while i < n:
        if text.startswith('//', i):
            j = text.find('\n', i)
            j = n if j < 0 else j
            out.append(' ' * (j - i)); i = j
        elif text.startswith('/*', i):
            j = text.find('*/', i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r'[^\n]', ' ', text[i:j])); i = j
        elif text.startswith('"""', i):
            j = text.find('"""', i + 3)
            j = n if j < 0 else j + 3
            out.append(re.sub(r'[^\n]', ' ', text[i:j])); i = j
        elif text[i] == '"':
            j = i + 1
            while j < n and text[j] not in '"\n':
                j += 2 if text[j] == '\\' else 1
            j = min(j + 1, n)
            out.append(' ' * (j - i)); i = j
        else:
            out.append(text[i]); i += 1
    return ''.join(out)


def findings(path):
    code = strip(open(path, encoding='utf-8').read())
    for start in TASK_START.finditer(code):
        depth, i = 1, start.end()
        while i < len(code) and depth:
            depth += {'{': 1, '}': -1}.get(code[i], 0)
            i += 1
        for typed in TYPED_DO.finditer(code, start.end(), i):
            yield code.count('\n', 0, typed.start()) + 1


def swift_files(args):
    for arg in args or ['Sources']:
        if os.path.isdir(arg):
            for root, _, names in os.walk(arg):
                yield from (os.path.join(root, n) for n in sorted(names) if n.endswith('.swift'))
        else:
            yield arg


def main():
    bad = [(p, line) for p in swift_files(sys.argv[1:]) for line in findings(p)]
    for path, line in bad:
        print(f'{path}:{line}: `do throws(...)` inside a closure that starts a task; '
              'Swift 6.3.1 -O miscompiles it (see scripts/check-task-closures.py): move it into a function')
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
