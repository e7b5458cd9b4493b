#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The layer check of `make lint` (docs/design.md, "Layers"): every
#include goes down or stays in its own folder, never up and never across.

The rules come from a config (default scripts/layers.conf), one per line:

  layer   PATH RANK        a folder (ending in /) or a file, and its layer
  service PATH RANK        the same, but services of one layer may not
                           include each other
  shared  PATH             a header every checked file may include
  restrict PATH ALLOWED... files under PATH may include only files under
                           PATH and the ALLOWED paths (arch/<name>/)
  allow   FROM TO REASON   a known exception: FROM (a file or folder) may
                           include TO (a file or folder); REASON is required
  cycles  PATH             report include cycles among the files under PATH,
                           and between its folders

A file includes only its own folder, `shared` headers, lower layers and
<...> headers (the public ABI under include/, the C library); a quoted
include that names no checked file is not the check's business. Every
violation is printed as "file:line: ..." and the exit status is 1; an
`allow` line that no include needs any more is reported too, so the list
of exceptions only shrinks.
"""
import argparse
import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def parse_config(path):
    units, shared, restrict, allow, cycles = [], [], [], [], []
    with open(path) as f:
        for n, raw in enumerate(f, 1):
            line = raw.split('#', 1)[0].strip()
            if not line:
                continue
            words = line.split()
            kind = words[0]
            where = f'{path}:{n}'
            if kind in ('layer', 'service') and len(words) == 3:
                units.append((words[1], int(words[2]), kind == 'service'))
            elif kind == 'shared' and len(words) == 2:
                shared.append(words[1])
            elif kind == 'restrict' and len(words) >= 3:
                restrict.append((words[1], words[2:]))
            elif kind == 'allow' and len(words) >= 4:
                allow.append({'from': words[1], 'to': words[2],
                              'reason': ' '.join(words[3:]), 'where': where, 'used': False})
            elif kind == 'cycles' and len(words) == 2:
                cycles.append(words[1])
            else:
                sys.exit(f'{where}: cannot read "{raw.rstrip()}"')
    # The longest path wins: a file listed on its own overrides its folder.
    units.sort(key=lambda u: -len(u[0]))
    return units, shared, restrict, allow, cycles


def under(path, prefix):
    return path == prefix or (prefix.endswith('/') and path.startswith(prefix))


def unit_of(path, units):
    for u in units:
        if under(path, u[0]):
            return u
    return None


def source_files(root):
    out = []
    for top, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith('.') and d != 'build']
        for name in files:
            if name.endswith(('.c', '.h', '.S')):
                out.append(os.path.relpath(os.path.join(top, name), root))
    return sorted(out)


def resolve(root, src, name):
    """The repository path a quoted include names: next to src, then from the root."""
    for base in (os.path.dirname(src), '.', 'include'):
        cand = os.path.normpath(os.path.join(base, name))
        if os.path.isfile(os.path.join(root, cand)):
            return cand
    return None


def includes(root, src):
    with open(os.path.join(root, src), errors='replace') as f:
        for n, line in enumerate(f, 1):
            m = INCLUDE.match(line)
            if m:
                target = resolve(root, src, m.group(1))
                if target is not None:
                    yield n, target


def allowed_by(exc, src, dst):
    for e in exc:
        if under(src, e['from']) and under(dst, e['to']):
            e['used'] = True
            return True
    return False


def check_edge(src, dst, units, shared, restrict):
    """None if src may include dst, else why not."""
    if os.path.dirname(src) == os.path.dirname(dst):
        return None
    for path, ok in restrict:
        if under(src, path):
            if under(dst, path) or any(under(dst, p) for p in ok):
                return None
            return f'{path} may include only its own tree and {" ".join(ok)}'
    if any(under(dst, s) for s in shared):
        return None
    us, ud = unit_of(src, units), unit_of(dst, units)
    if us is None or ud is None or us[0] == ud[0]:
        return None
    if ud[1] > us[1]:
        return f'upward: {us[0]} (layer {us[1]}) includes {ud[0]} (layer {ud[1]})'
    if ud[1] == us[1]:
        what = 'services' if us[2] and ud[2] else 'folders'
        return f'across: {what} {us[0]} and {ud[0]} are both layer {us[1]}'
    return None


def find_cycles(graph):
    """Strongly connected components with more than one node (Tarjan, iterative)."""
    index, low, on, stack, out, counter = {}, {}, set(), [], [], [0]
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter[0]
        counter[0] += 1
        stack.append(start)
        on.add(start)
        while work:
            node, it = work[-1]
            nxt = next(it, None)
            if nxt is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    comp = []
                    while True:
                        w = stack.pop()
                        on.discard(w)
                        comp.append(w)
                        if w == node:
                            break
                    if len(comp) > 1:
                        out.append(sorted(comp))
                continue
            if nxt not in graph:
                continue
            if nxt not in index:
                index[nxt] = low[nxt] = counter[0]
                counter[0] += 1
                stack.append(nxt)
                on.add(nxt)
                work.append((nxt, iter(sorted(graph[nxt]))))
            elif nxt in on:
                low[node] = min(low[node], index[nxt])
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--root', default='.', help='the tree to check')
    ap.add_argument('--config', default=None, help='default: ROOT/scripts/layers.conf')
    args = ap.parse_args()
    config = args.config or os.path.join(args.root, 'scripts', 'layers.conf')
    units, shared, restrict, allow, cycles = parse_config(config)

    problems = []
    file_graph = {}
    checked = [u[0] for u in units] + [r[0] for r in restrict]
    for src in source_files(args.root):
        if not any(under(src, p) for p in checked):
            continue
        for line, dst in includes(args.root, src):
            file_graph.setdefault(src, set()).add(dst)
            why = check_edge(src, dst, units, shared, restrict)
            if why is not None and not allowed_by(allow, src, dst):
                problems.append(f'{src}:{line}: includes "{dst}": {why}')

    for top in cycles:
        files = {s: {d for d in ds if under(d, top)} for s, ds in file_graph.items() if under(s, top)}
        for comp in find_cycles(files):
            problems.append(f'include cycle among files: {" -> ".join(comp)} -> {comp[0]}')
        dirs = {}
        for s, ds in files.items():
            for d in ds:
                if any(under(d, sh) for sh in shared):
                    continue  # every folder includes the shared headers: no edge
                a, b = os.path.dirname(s), os.path.dirname(d)
                if a != b:
                    dirs.setdefault(a, set()).add(b)
                    dirs.setdefault(b, set())
        for comp in find_cycles(dirs):
            problems.append(f'include cycle among folders: {" -> ".join(comp)} -> {comp[0]}')

    for e in allow:
        if not e['used']:
            problems.append(f'{e["where"]}: exception "{e["from"]} -> {e["to"]}" is no longer '
                            'needed: remove it')
    for p in problems:
        print(p)
    if problems:
        print(f'layers: {len(problems)} problem(s) (rules: {config})')
        return 1
    print(f'layers: ok ({len(file_graph)} files with includes checked against {config})')
    return 0


if __name__ == '__main__':
    sys.exit(main())
