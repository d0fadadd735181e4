"""Import and export: OSM road networks, CSV/XLSX/GeoJSON registries, coordinate systems.

Every importer validates first and writes in one transaction: on any bad row it raises
:class:`planner.io.errors.ImportFailed` listing every problem (file, row, field, message) and
the plan is left exactly as it was.
"""
