"""Installation self-test of a frozen esplan build (``esplan-cli --self-test``).

Exercises every bundled third-party library and data file the program needs at run time, in a
temporary folder, with no network. Prints one line per check and exits 0 when all pass, 2 if any
fails. It is part of the installer (installer/entry/), not of the planner package.
"""
from __future__ import annotations

import sys
import tempfile
import traceback
from pathlib import Path

CHECKS = []


def check(fn):
    CHECKS.append(fn)
    return fn


@check
def metadata():
    from importlib.metadata import version

    import planner

    v = version("esplan")
    assert planner.__version__ == v, (planner.__version__, v)
    return f"esplan {v}, utf8_mode={sys.flags.utf8_mode}"


@check
def resources():
    import esplan_resources

    norms = sorted(p.name for p in esplan_resources.path("norms").glob("*.json"))
    demos = sorted(p.name for p in esplan_resources.path("demo").glob("*.esplan"))
    assert norms and demos, (norms, demos)
    qm = list(esplan_resources.path().glob("i18n/*.qm"))
    fonts = [p for p in esplan_resources.path().glob("fonts/**/*") if p.is_file()]
    from planner.text import catalogue

    texts = len(catalogue())   # resources/i18n/texts.json: CLI, findings and report texts
    return f"norms={norms} demos={demos} qm={len(qm)} fonts={len(fonts)} texts={texts}"


@check
def migrations(tmp: Path):
    from sqlalchemy import create_engine, inspect

    from planner import migrations

    head = migrations.head_revision()
    eng = create_engine(f"sqlite:///{tmp / 'm.db'}")
    migrations.upgrade_head(eng)
    tables = inspect(eng).get_table_names()
    eng.dispose()
    assert "alembic_version" in tables and len(tables) > 3, tables
    return f"head={head} tables={len(tables)}"


@check
def sqlalchemy_dialects():
    from sqlalchemy import create_engine

    out = ["sqlite"]
    create_engine("sqlite://").dispose()
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "sqlite (psycopg not bundled)"
    eng = create_engine("postgresql+psycopg://u:p@127.0.0.1:9/x")  # no connection is made
    out.append(f"{eng.dialect.name}+{eng.dialect.driver}")
    import psycopg.pq

    out.append(f"libpq impl={psycopg.pq.__impl__}")
    return " ".join(out)


@check
def pyproj_data():
    import pyproj
    from pyproj import Transformer

    t = Transformer.from_crs("EPSG:4326", "EPSG:32631", always_xy=True)
    x, y = t.transform(1.52, 42.51)  # Andorra la Vella
    assert 300_000 < x < 700_000 and 4_000_000 < y < 5_000_000, (x, y)
    cgcs = pyproj.CRS.from_epsg(4490)  # CGCS2000 needs proj.db
    return f"proj {pyproj.proj_version_str} datadir={pyproj.datadir.get_data_dir()} {cgcs.name}"


@check
def shapely_geos():
    import shapely
    from shapely.geometry import Point

    a = Point(0, 0).buffer(1.0)
    assert 3.1 < a.area < 3.15
    return f"shapely {shapely.__version__} geos {shapely.geos_version_string}"


@check
def scipy_graph_lp():
    import numpy as np
    from scipy.optimize import linprog
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import dijkstra

    g = csr_matrix(np.array([[0, 1, 0], [0, 0, 2], [0, 0, 0]], dtype=float))
    d = dijkstra(g, indices=0)
    assert d[2] == 3.0
    r = linprog([1, 1], A_ub=[[-1, -1]], b_ub=[-1], bounds=[(0, None)] * 2, method="highs")
    assert r.status == 0 and abs(r.fun - 1) < 1e-9
    import scipy

    return f"scipy {scipy.__version__} numpy {np.__version__}"


@check
def ortools_flow():
    """OR-Tools min-cost flow (the engine's network solver) when it is bundled."""
    import importlib.util

    if importlib.util.find_spec("ortools") is None:
        return "not bundled (the engine falls back to the scipy LP)"
    from ortools.graph.python import min_cost_flow

    f = min_cost_flow.SimpleMinCostFlow()
    f.add_arc_with_capacity_and_unit_cost(0, 1, 5, 2)
    f.set_node_supply(0, 5)
    f.set_node_supply(1, -5)
    assert f.solve() == f.OPTIMAL and f.optimal_cost() == 10
    import ortools

    return f"ortools {ortools.__version__} min_cost_flow"


@check
def networkx_ok():
    import networkx as nx

    return f"networkx {nx.__version__} path={nx.shortest_path(nx.path_graph(4), 0, 3)}"


@check
def osmium_read(tmp: Path):
    import osmium
    import osmium.version

    f = tmp / "t.osm"
    f.write_text(
        "<?xml version='1.0' encoding='UTF-8'?><osm version='0.6' generator='t'>"
        "<node id='1' lat='42.5' lon='1.5'/><node id='2' lat='42.51' lon='1.51'/>"
        "<way id='3'><nd ref='1'/><nd ref='2'/><tag k='highway' v='primary'/></way></osm>",
        encoding="utf-8")
    n = sum(1 for _ in osmium.FileProcessor(str(f)))
    assert n == 3, n
    f2 = tmp / "t.osm.pbf"
    with osmium.SimpleWriter(str(f2)) as w:
        w.add_node(osmium.osm.mutable.Node(id=1, location=(1.5, 42.5)))
    assert sum(1 for _ in osmium.FileProcessor(str(f2))) == 1
    return f"osmium {osmium.version.pyosmium_release} xml+pbf"


@check
def reportlab_pdf(tmp: Path):
    import reportlab
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    import esplan_resources

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    out = tmp / "t.pdf"
    c = canvas.Canvas(str(out), pagesize=A4)
    c.setFont("Helvetica", 12)  # standard font metrics (.afm) are reportlab data files
    c.drawString(72, 800, "esplan self-test")
    c.setFont("STSong-Light", 12)
    c.drawString(72, 780, "应急物资与避难场所规划")
    ttf = [p for p in esplan_resources.path().glob("fonts/**/*") if p.suffix.lower() in (".ttf", ".otf", ".ttc")]
    if ttf:
        from reportlab.pdfbase.ttfonts import TTFont

        pdfmetrics.registerFont(TTFont("esplan-bundled", str(ttf[0])))
        c.setFont("esplan-bundled", 12)
        c.drawString(72, 760, "应急 esplan")
    c.save()
    assert out.stat().st_size > 500
    return f"reportlab {reportlab.Version} pdf={out.stat().st_size} B ttf={[p.name for p in ttf[:1]]}"


@check
def openpyxl_roundtrip(tmp: Path):
    import openpyxl

    p = tmp / "t.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["代码", "名称"])
    wb.active.append(["S1", "避难场所"])
    wb.save(p)
    rows = list(openpyxl.load_workbook(p).active.values)
    assert rows[1] == ("S1", "避难场所"), rows
    return f"openpyxl {openpyxl.__version__}"


@check
def planner_modules():
    """Every planner module imports (the CLI loads some of them by name)."""
    import importlib
    import pkgutil

    import planner

    names = [m.name for m in pkgutil.walk_packages(planner.__path__, "planner.")
             if not m.name.startswith("planner.migrations.versions")]
    bad = []
    for n in names:
        if n in ("planner.migrations.env", "planner.migrations.__main__", "planner.__main__"):
            continue
        try:
            importlib.import_module(n)
        except Exception as exc:  # noqa: BLE001
            bad.append(f"{n}: {exc!r}")
    assert not bad, bad
    return f"{len(names)} modules"


def main(argv: list[str]) -> int:
    import inspect

    failed = 0
    print(f"esplan self-test ({'frozen' if getattr(sys, 'frozen', False) else 'not frozen'}, "
          f"{sys.executable})")
    with tempfile.TemporaryDirectory(prefix="esplan-selftest-") as d:
        for fn in CHECKS:
            args = [Path(d)] if inspect.signature(fn).parameters else []
            try:
                msg = fn(*args)
                print(f"  ok    {fn.__name__}: {msg}")
            except Exception:  # noqa: BLE001
                failed += 1
                print(f"  FAIL  {fn.__name__}:\n" + traceback.format_exc(), file=sys.stdout)
    print("self-test:", "all checks passed" if not failed else f"{failed} check(s) FAILED")
    return 0 if not failed else 2
