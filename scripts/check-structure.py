#!/usr/bin/env python3
"""Checks the shape of the Rust crates (issue 17): files of one concept, no import circles.

For every crate under rust-core/ (and fuzz/, scripts/bench/rust/):
  * the non-test part of each .rs file (up to its `#[cfg(test)] mod tests`) is at most
    LIMIT lines;
  * no import circle: at every level of the module tree, the sibling modules (a module and
    everything under it) must not depend on each other in a cycle. A dependency is a path
    `crate::a::b` or `super::x` in non-test code;
  * nothing hides a dependency from that check: no wildcard `use super::*` / `use crate::..::*`
    and no path through the crate root's re-exports (`crate::Name`) outside lib.rs.

Prints the module map's largest files and every finding; exits 1 on any finding.
Usage: scripts/check-structure.py [--limit N] [--verbose]
"""

import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LIMIT = 600


def crates():
    for base in ("rust-core", "fuzz", os.path.join("scripts", "bench", "rust")):
        top = os.path.join(ROOT, base)
        if not os.path.isdir(top):
            continue
        if os.path.isdir(os.path.join(top, "src")):
            yield os.path.join(top, "src")
        for name in sorted(os.listdir(top)):
            src = os.path.join(top, name, "src")
            if os.path.isdir(src):
                yield src


def module_path(src, path):
    rel = os.path.relpath(path, src)[:-3].split(os.sep)
    if rel[-1] in ("lib", "main", "mod"):
        rel = rel[:-1]
    if rel and rel[0] == "bin":
        return None  # binaries are separate crates
    return tuple(rel)


TEST_START = re.compile(r"^\s*#\[cfg\(test\)\]\s*$")


def non_test_lines(text):
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if TEST_START.match(line):
            nxt = next((l for l in lines[i + 1 :] if l.strip()), "")
            if re.match(r"^\s*(pub(\(\w+\))?\s+)?mod\s+\w+\s*\{", nxt):
                return lines[:i]
    return lines


def strip_comments(lines):
    out = []
    for line in lines:
        s = line.strip()
        if s.startswith("//"):
            out.append("")
            continue
        out.append(re.sub(r'"(\\.|[^"\\])*"', '""', line))
    return out


def resolve(mod, ref_kind, segs):
    if ref_kind == "crate":
        return tuple(segs)
    # super: relative to the module's parent; `self` would be the module itself.
    base = list(mod[:-1]) if mod else []
    return tuple(base + segs)


REF = re.compile(r"\b(crate|super)((?:::\w+)+)")


def main():
    global LIMIT
    args = sys.argv[1:]
    verbose = "--verbose" in args
    if "--limit" in args:
        LIMIT = int(args[args.index("--limit") + 1])
    findings = []
    sizes = []
    for src in crates():
        crate = os.path.relpath(os.path.dirname(src), ROOT)
        files = {}
        for dirpath, _, names in os.walk(src):
            for n in names:
                if n.endswith(".rs"):
                    p = os.path.join(dirpath, n)
                    m = module_path(src, p)
                    # `tests` modules (`#[cfg(test)] mod tests;` in their own file) are test code.
                    if m is not None and "tests" not in m:
                        files[p] = m
        modules = set(files.values())
        deps = {}  # module -> set of modules it references
        for path, mod in files.items():
            with open(path, encoding="utf-8") as f:
                code = non_test_lines(f.read())
            rel = os.path.relpath(path, ROOT)
            sizes.append((len(code), rel))
            if len(code) > LIMIT:
                findings.append(f"{rel}: {len(code)} lines of non-test code (limit {LIMIT})")
            is_root = mod == ()
            for n, line in enumerate(strip_comments(code), 1):
                if re.search(r"\buse\s+(super|crate)(::\w+)*::\*\s*;", line):
                    findings.append(f"{rel}:{n}: wildcard import hides dependencies: {line.strip()}")
                for kind, tail in REF.findall(line):
                    segs = [s for s in tail.split("::") if s]
                    if kind == "super":
                        # super::super::x
                        up = 0
                        while segs and segs[0] == "super":
                            up += 1
                            segs = segs[1:]
                        base = list(mod[: max(len(mod) - 1 - up, 0)])
                        target = tuple(base + segs)
                    else:
                        target = tuple(segs)
                    if kind == "crate" and segs and segs[0][:1].isupper() and not is_root:
                        findings.append(
                            f"{rel}:{n}: `crate::{segs[0]}` goes through the root's re-exports; "
                            "name the defining module"
                        )
                    # the longest known module prefix of the target
                    for k in range(len(target), 0, -1):
                        if target[:k] in modules:
                            deps.setdefault(mod, set()).add(target[:k])
                            break
        # cycles among siblings at every level
        parents = {m[:-1] for m in modules if m}
        for parent in sorted(parents):
            children = sorted({m[: len(parent) + 1] for m in modules if len(m) > len(parent) and m[: len(parent)] == parent})
            graph = {c: set() for c in children}
            for m, targets in deps.items():
                if len(m) <= len(parent) or m[: len(parent)] != parent:
                    continue
                a = m[: len(parent) + 1]
                for t in targets:
                    if len(t) > len(parent) and t[: len(parent)] == parent:
                        b = t[: len(parent) + 1]
                        if a != b:
                            graph[a].add(b)
            cycle = find_cycle(graph)
            if cycle:
                names = " -> ".join("::".join(c) or "crate" for c in cycle)
                findings.append(f"{crate}: import circle: {names}")
    findings += absolute_paths()
    sizes.sort(reverse=True)
    print("largest non-test files:")
    for n, rel in sizes[: 10 if not verbose else len(sizes)]:
        print(f"  {n:5d}  {rel}")
    if findings:
        print("\nfindings:")
        for f in findings:
            print("  " + f)
        print(f"\n{len(findings)} finding(s)")
        return 1
    print("no import circles; every file within %d lines of non-test code" % LIMIT)
    return 0


def absolute_paths():
    """Tracked files name files relative to the repository, never a build machine's path."""
    import subprocess

    out = subprocess.run(
        ["git", "-C", ROOT, "ls-files"], capture_output=True, text=True, check=False
    ).stdout.split()
    pattern = re.compile(r"(?<![\w.])/(work|root|home/[a-z_][a-z0-9_-]*)/[A-Za-z0-9_.-]")
    found = []
    for rel in out:
        if rel.endswith(("Cargo.lock", ".png", ".jar", ".apk")) or rel == "scripts/check-structure.py":
            continue
        try:
            with open(os.path.join(ROOT, rel), encoding="utf-8") as f:
                for n, line in enumerate(f, 1):
                    if pattern.search(line):
                        found.append(f"{rel}:{n}: names a build machine's absolute path")
        except (UnicodeDecodeError, FileNotFoundError, IsADirectoryError):
            continue
    return found


def find_cycle(graph):
    state = {}
    stack = []

    def visit(n):
        state[n] = 1
        stack.append(n)
        for m in sorted(graph.get(n, ())):
            if state.get(m) == 1:
                return stack[stack.index(m) :] + [m]
            if m not in state:
                c = visit(m)
                if c:
                    return c
        stack.pop()
        state[n] = 2
        return None

    for n in sorted(graph):
        if n not in state:
            c = visit(n)
            if c:
                return c
    return None


if __name__ == "__main__":
    sys.exit(main())
