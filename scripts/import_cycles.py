"""List the import cycles among planner's modules (imports inside functions included).

    python scripts/import_cycles.py            # prints every cycle; exit 1 if there is any

Two views, both built with grimp (the graph import-linter checks):
- module cycles: strongly connected groups of modules, counting every ``import`` anywhere in a
  file (module top, inside functions, under TYPE_CHECKING), a package's ``__init__`` included
  (``planner.engine.run`` importing ``planner.engine`` while ``planner.engine`` lazily imports
  ``planner.engine.run`` is a cycle).
- sibling cycles: for each package, its children (each with all its descendants squashed in)
  importing each other in a ring — what import-linter's ``acyclic_siblings`` contract forbids.
"""
from __future__ import annotations

import sys
from pathlib import Path

import grimp

REPO = Path(__file__).resolve().parents[1]


def _sccs(nodes: set[str], edges: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components of size > 1 (iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = 0
    for root in sorted(nodes):
        if root in index:
            continue
        work = [(root, iter(sorted(edges.get(root, ()))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on.add(root)
        while work:
            v, it = work[-1]
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(edges.get(w, ())))))
                    break
                if w in on:
                    low[v] = min(low[v], index[w])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[v])
                if low[v] == index[v]:
                    comp = []
                    while True:
                        w = stack.pop()
                        on.discard(w)
                        comp.append(w)
                        if w == v:
                            break
                    if len(comp) > 1:
                        out.append(sorted(comp))
    return sorted(out)


def module_cycles(graph: grimp.ImportGraph, root: str = "planner") -> list[list[str]]:
    mods = {m for m in graph.modules if m == root or m.startswith(root + ".")}
    edges = {m: {i for i in graph.find_modules_directly_imported_by(m) if i in mods} for m in mods}
    return _sccs(mods, edges)


def sibling_cycles(graph: grimp.ImportGraph, root: str = "planner") -> list[list[str]]:
    mods = {m for m in graph.modules if m == root or m.startswith(root + ".")}
    out = []
    for pkg in sorted(mods):
        children = graph.find_children(pkg)
        if len(children) < 2:
            continue

        def child_of(m: str, children: set[str] = children) -> str | None:
            for c in children:
                if m == c or m.startswith(c + "."):
                    return c
            return None

        edges: dict[str, set[str]] = {}
        for m in mods:
            a = child_of(m)
            if a is None:
                continue
            for i in graph.find_modules_directly_imported_by(m):
                b = child_of(i)
                if b is not None and b != a:
                    edges.setdefault(a, set()).add(b)
        out += _sccs(set(children), edges)
    return out


def edges_within(graph: grimp.ImportGraph, group: list[str]) -> list[str]:
    g = set(group)
    return [f"  {m} -> {i}" for m in group for i in sorted(graph.find_modules_directly_imported_by(m))
            if i in g]


def main() -> int:
    sys.path.insert(0, str(REPO))  # this checkout's planner, not an installed one
    graph = grimp.build_graph("planner", cache_dir=None)
    mc, sc = module_cycles(graph), sibling_cycles(graph)
    print(f"module cycles: {len(mc)}")
    for comp in mc:
        print(" ", " ↔ ".join(comp))
        print("\n".join(edges_within(graph, comp)))
    print(f"sibling (package) cycles: {len(sc)}")
    for comp in sc:
        print(" ", " ↔ ".join(comp))
    return 1 if mc or sc else 0


if __name__ == "__main__":
    sys.exit(main())
