"""The engine's version, stored with every run (PlanRun.engine_version, PlanResult.engine_version).

Its own module so that planner.engine.run need not import its parent package (which lazily
imports run: an import cycle)."""

ENGINE_VERSION = "0.2.0"
