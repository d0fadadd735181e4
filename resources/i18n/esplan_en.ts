<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="en">
  <context>
    <name>Analysis</name>
    <message>
      <source>Running the checks ({scenario})…</source>
      <translation>Running the checks ({scenario})…</translation>
    </message>
    <message>
      <source>baseline</source>
      <translation>baseline</translation>
    </message>
    <message>
      <source>Comparing {n} scenarios…</source>
      <translation>Comparing {n} scenarios…</translation>
    </message>
    <message>
      <source>Looking for shelter sites to close the gap…</source>
      <translation>Looking for shelter sites to close the gap…</translation>
    </message>
  </context>
  <context>
    <name>BarChart</name>
    <message>
      <source>Run the plan to see this chart.</source>
      <translation>Run the plan to see this chart.</translation>
    </message>
  </context>
  <context>
    <name>BoundaryPage</name>
    <message>
      <source>District boundary</source>
      <translation>District boundary</translation>
    </message>
    <message>
      <source>A GeoJSON file of the district's outline (WGS-84 or CGCS2000). Optional, but recommended: roads are clipped to it and sites outside it are found.</source>
      <translation>A GeoJSON file of the district's outline (WGS-84 or CGCS2000). Optional, but recommended: roads are clipped to it and sites outside it are found.</translation>
    </message>
    <message>
      <source>GeoJSON file (optional)</source>
      <translation>GeoJSON file (optional)</translation>
    </message>
    <message>
      <source>Browse…</source>
      <translation>Browse…</translation>
    </message>
    <message>
      <source>Choose a file</source>
      <translation>Choose a file</translation>
    </message>
    <message>
      <source>No boundary: the road network will not be clipped and no site is checked against the district. You can import it later (File ▸ Import…).</source>
      <translation>No boundary: the road network will not be clipped and no site is checked against the district. You can import it later (File ▸ Import…).</translation>
    </message>
    <message>
      <source>{name}: {area} km², from {w:.3f}° to {e:.3f}° E and {s:.3f}° to {n:.3f}° N.</source>
      <translation>{name}: {area} km², from {w:.3f}° to {e:.3f}° E and {s:.3f}° to {n:.3f}° N.</translation>
    </message>
  </context>
  <context>
    <name>ChecksModel</name>
    <message>
      <source>Result</source>
      <translation>Result</translation>
    </message>
    <message>
      <source>Check</source>
      <translation>Check</translation>
    </message>
    <message>
      <source>Value</source>
      <translation>Value</translation>
    </message>
    <message>
      <source>Target</source>
      <translation>Target</translation>
    </message>
    <message>
      <source>Numerator / denominator</source>
      <translation>Numerator / denominator</translation>
    </message>
    <message>
      <source>pass</source>
      <translation>pass</translation>
    </message>
    <message>
      <source>fail</source>
      <translation>fail</translation>
    </message>
    <message>
      <source>no data</source>
      <translation>no data</translation>
    </message>
    <message>
      <source>Target from: {0}</source>
      <translation>Target from: {0}</translation>
    </message>
  </context>
  <context>
    <name>ColumnMappingDialog</name>
    <message>
      <source>Columns of {file}</source>
      <translation>Columns of {file}</translation>
    </message>
    <message>
      <source>Choose, for each field of the template, the column of your file that holds it. Fields marked * are required. Check the guesses marked in colour.</source>
      <translation>Choose, for each field of the template, the column of your file that holds it. Fields marked * are required. Check the guesses marked in colour.</translation>
    </message>
    <message>
      <source>Template field</source>
      <translation>Template field</translation>
    </message>
    <message>
      <source>Column in the file</source>
      <translation>Column in the file</translation>
    </message>
    <message>
      <source>How it was found</source>
      <translation>How it was found</translation>
    </message>
    <message>
      <source>— choose a column —</source>
      <translation>— choose a column —</translation>
    </message>
    <message>
      <source>— not imported —</source>
      <translation>— not imported —</translation>
    </message>
    <message>
      <source>The first rows of the file:</source>
      <translation>The first rows of the file:</translation>
    </message>
    <message>
      <source>several columns: choose one</source>
      <translation>several columns: choose one</translation>
    </message>
    <message>
      <source>your choice</source>
      <translation>your choice</translation>
    </message>
    <message>
      <source>same name</source>
      <translation>same name</translation>
    </message>
    <message>
      <source>a known name</source>
      <translation>a known name</translation>
    </message>
    <message>
      <source>similar name: check</source>
      <translation>similar name: check</translation>
    </message>
    <message>
      <source>not found: choose a column</source>
      <translation>not found: choose a column</translation>
    </message>
    <message>
      <source>not in the file</source>
      <translation>not in the file</translation>
    </message>
  </context>
  <context>
    <name>Columns</name>
    <message>
      <source>Tier</source>
      <translation>Tier</translation>
    </message>
    <message>
      <source>Storage m²</source>
      <translation>Storage m²</translation>
    </message>
    <message>
      <source>Item</source>
      <translation>Item</translation>
    </message>
    <message>
      <source>Site</source>
      <translation>Site</translation>
    </message>
    <message>
      <source>yes</source>
      <translation>yes</translation>
    </message>
    <message>
      <source>no</source>
      <translation>no</translation>
    </message>
    <message>
      <source>Code</source>
      <translation>Code</translation>
    </message>
    <message>
      <source>Name</source>
      <translation>Name</translation>
    </message>
    <message>
      <source>Kind</source>
      <translation>Kind</translation>
    </message>
    <message>
      <source>Status</source>
      <translation>Status</translation>
    </message>
    <message>
      <source>Class / tier</source>
      <translation>Class / tier</translation>
    </message>
    <message>
      <source>Capacity</source>
      <translation>Capacity</translation>
    </message>
    <message>
      <source>Indoor m²</source>
      <translation>Indoor m²</translation>
    </message>
    <message>
      <source>Outdoor m²</source>
      <translation>Outdoor m²</translation>
    </message>
    <message>
      <source>Stated capacity</source>
      <translation>Stated capacity</translation>
    </message>
    <message>
      <source>Town</source>
      <translation>Town</translation>
    </message>
    <message>
      <source>Address</source>
      <translation>Address</translation>
    </message>
    <message>
      <source>Contact</source>
      <translation>Contact</translation>
    </message>
    <message>
      <source>Phone</source>
      <translation>Phone</translation>
    </message>
    <message>
      <source>Located</source>
      <translation>Located</translation>
    </message>
    <message>
      <source>not yet located</source>
      <translation>not yet located</translation>
    </message>
    <message>
      <source>{status} → closed in “{scenario}”</source>
      <translation>{status} → closed in “{scenario}”</translation>
    </message>
    <message>
      <source>Utilisation in the last run: {u:.0%}</source>
      <translation>Utilisation in the last run: {u:.0%}</translation>
    </message>
    <message>
      <source>Quantity</source>
      <translation>Quantity</translation>
    </message>
    <message>
      <source>Unit</source>
      <translation>Unit</translation>
    </message>
    <message>
      <source>Mode</source>
      <translation>Mode</translation>
    </message>
    <message>
      <source>Batch</source>
      <translation>Batch</translation>
    </message>
    <message>
      <source>Expiry</source>
      <translation>Expiry</translation>
    </message>
    <message>
      <source>Lead time h</source>
      <translation>Lead time h</translation>
    </message>
    <message>
      <source>Supplier</source>
      <translation>Supplier</translation>
    </message>
    <message>
      <source>Usable (last run)</source>
      <translation>Usable (last run)</translation>
    </message>
    <message>
      <source>no: too far</source>
      <translation>no: too far</translation>
    </message>
    <message>
      <source>no: expired</source>
      <translation>no: expired</translation>
    </message>
    <message>
      <source>no: lead time too long</source>
      <translation>no: lead time too long</translation>
    </message>
    <message>
      <source>no: site closed</source>
      <translation>no: site closed</translation>
    </message>
    <message>
      <source>no: site not located</source>
      <translation>no: site not located</translation>
    </message>
    <message>
      <source>Population</source>
      <translation>Population</translation>
    </message>
    <message>
      <source>Vulnerable</source>
      <translation>Vulnerable</translation>
    </message>
    <message>
      <source>Longitude</source>
      <translation>Longitude</translation>
    </message>
    <message>
      <source>Latitude</source>
      <translation>Latitude</translation>
    </message>
    <message>
      <source>Outcome (last run)</source>
      <translation>Outcome (last run)</translation>
    </message>
    <message>
      <source>Nearest shelter min</source>
      <translation>Nearest shelter min</translation>
    </message>
    <message>
      <source>Nearest shelter</source>
      <translation>Nearest shelter</translation>
    </message>
    <message>
      <source>Sheltered at (last run)</source>
      <translation>Sheltered at (last run)</translation>
    </message>
    <message>
      <source>Flags</source>
      <translation>Flags</translation>
    </message>
    <message>
      <source>Name (Chinese)</source>
      <translation>Name (Chinese)</translation>
    </message>
    <message>
      <source>Name (English)</source>
      <translation>Name (English)</translation>
    </message>
    <message>
      <source>Category</source>
      <translation>Category</translation>
    </message>
    <message>
      <source>Shelf life days</source>
      <translation>Shelf life days</translation>
    </message>
    <message>
      <source>Unit price ¥</source>
      <translation>Unit price ¥</translation>
    </message>
    <message>
      <source>Unit volume m³</source>
      <translation>Unit volume m³</translation>
    </message>
    <message>
      <source>Unit weight kg</source>
      <translation>Unit weight kg</translation>
    </message>
    <message>
      <source>Norm key</source>
      <translation>Norm key</translation>
    </message>
  </context>
  <context>
    <name>CompareDialog</name>
    <message>
      <source>Compare scenarios</source>
      <translation>Compare scenarios</translation>
    </message>
    <message>
      <source>Checks and changes</source>
      <translation>Checks and changes</translation>
    </message>
    <message>
      <source>People served</source>
      <translation>People served</translation>
    </message>
    <message>
      <source>People unreachable</source>
      <translation>People unreachable</translation>
    </message>
    <message>
      <source>People isolated</source>
      <translation>People isolated</translation>
    </message>
    <message>
      <source>Supply shortfall ¥</source>
      <translation>Supply shortfall ¥</translation>
    </message>
    <message>
      <source>Check</source>
      <translation>Check</translation>
    </message>
    <message>
      <source>Target</source>
      <translation>Target</translation>
    </message>
    <message>
      <source>newly without a shelter in reach</source>
      <translation>newly without a shelter in reach</translation>
    </message>
    <message>
      <source>newly isolated</source>
      <translation>newly isolated</translation>
    </message>
    <message>
      <source>{scenario}: {n} villages / communities {what}</source>
      <translation>{scenario}: {n} villages / communities {what}</translation>
    </message>
    <message>
      <source> … and {n} more</source>
      <translation> … and {n} more</translation>
    </message>
    <message>
      <source>{scenario}: {n} shelters full</source>
      <translation>{scenario}: {n} shelters full</translation>
    </message>
    <message>
      <source>Map: {scenario} beside {reference}</source>
      <translation>Map: {scenario} beside {reference}</translation>
    </message>
    <message>
      <source>The maps could not be drawn; the log file says why.</source>
      <translation>The maps could not be drawn; the log file says why.</translation>
    </message>
    <message>
      <source>Maps</source>
      <translation>Maps</translation>
    </message>
    <message>
      <source>{d:+.1f} pp</source>
      <translation>{d:+.1f} pp</translation>
    </message>
    <message>
      <source>baseline</source>
      <translation>baseline</translation>
    </message>
  </context>
  <context>
    <name>CompletenessPanel</name>
    <message>
      <source>No road network</source>
      <translation>No road network</translation>
    </message>
    <message>
      <source>Import an OpenStreetMap extract of the district (File ▸ Import…, road network).</source>
      <translation>Import an OpenStreetMap extract of the district (File ▸ Import…, road network).</translation>
    </message>
    <message>
      <source>{n} villages / communities without coordinates</source>
      <translation>{n} villages / communities without coordinates</translation>
    </message>
    <message>
      <source>Select one in the Population table, press Place / move (M) and click the map where it lies; or enter the longitude and latitude, or import the demand units again with coordinates.</source>
      <translation>Select one in the Population table, press Place / move (M) and click the map where it lies; or enter the longitude and latitude, or import the demand units again with coordinates.</translation>
    </message>
    <message>
      <source>{n} villages / communities without population</source>
      <translation>{n} villages / communities without population</translation>
    </message>
    <message>
      <source>Enter the population in the Population table, or import it.</source>
      <translation>Enter the population in the Population table, or import it.</translation>
    </message>
    <message>
      <source>{n} shelters without coordinates</source>
      <translation>{n} shelters without coordinates</translation>
    </message>
    <message>
      <source>Select the shelter and place it on the map (M), or enter its longitude and latitude in the Sites table.</source>
      <translation>Select the shelter and place it on the map (M), or enter its longitude and latitude in the Sites table.</translation>
    </message>
    <message>
      <source>{n} shelters without area or capacity</source>
      <translation>{n} shelters without area or capacity</translation>
    </message>
    <message>
      <source>Enter the area or the stated capacity in the Sites table.</source>
      <translation>Enter the area or the stated capacity in the Sites table.</translation>
    </message>
    <message>
      <source>{n} fixed shelters without area data</source>
      <translation>{n} fixed shelters without area data</translation>
    </message>
    <message>
      <source>Enter the indoor and outdoor areas in the Sites table.</source>
      <translation>Enter the indoor and outdoor areas in the Sites table.</translation>
    </message>
    <message>
      <source>{n} shelters without a class (not counted as fixed)</source>
      <translation>{n} shelters without a class (not counted as fixed)</translation>
    </message>
    <message>
      <source>Choose the class of each shelter in the Sites table.</source>
      <translation>Choose the class of each shelter in the Sites table.</translation>
    </message>
    <message>
      <source>{n} supply items without a price</source>
      <translation>{n} supply items without a price</translation>
    </message>
    <message>
      <source>Enter unit prices in the Supply catalogue (for the cost of the shortfall; no check needs them).</source>
      <translation>Enter unit prices in the Supply catalogue (for the cost of the shortfall; no check needs them).</translation>
    </message>
    <message>
      <source>72-hour supply ({n} items)</source>
      <translation>72-hour supply ({n} items)</translation>
    </message>
    <message>
      <source>Run the checks (F5) to see which data they lack.</source>
      <translation>Run the checks (F5) to see which data they lack.</translation>
    </message>
    <message>
      <source>The checks have all the data they need.</source>
      <translation>The checks have all the data they need.</translation>
    </message>
    <message>
      <source>{k} kinds of data are missing: {u} checks cannot be assessed and {i} more are incomplete until they are there.</source>
      <translation>{k} kinds of data are missing: {u} checks cannot be assessed and {i} more are incomplete until they are there.</translation>
    </message>
    <message>
      <source>Needed by:</source>
      <translation>Needed by:</translation>
    </message>
    <message>
      <source>What to do:</source>
      <translation>What to do:</translation>
    </message>
    <message>
      <source>no check</source>
      <translation>no check</translation>
    </message>
  </context>
  <context>
    <name>DemandPanel</name>
    <message>
      <source>Search villages / communities…</source>
      <translation>Search villages / communities…</translation>
    </message>
    <message>
      <source>All outcomes</source>
      <translation>All outcomes</translation>
    </message>
  </context>
  <context>
    <name>Dialogs</name>
    <message>
      <source>Edit conflict</source>
      <translation>Edit conflict</translation>
    </message>
    <message>
      <source>Another planner deleted this row ({entity} #{id}) since you opened it. Your change was not saved.</source>
      <translation>Another planner deleted this row ({entity} #{id}) since you opened it. Your change was not saved.</translation>
    </message>
    <message>
      <source>Another planner changed this row ({entity} #{id}) since you read it. Your change was not saved; the table now shows their values.</source>
      <translation>Another planner changed this row ({entity} #{id}) since you read it. Your change was not saved; the table now shows their values.</translation>
    </message>
    <message>
      <source>Field</source>
      <translation>Field</translation>
    </message>
    <message>
      <source>Your value</source>
      <translation>Your value</translation>
    </message>
    <message>
      <source>Their value (saved)</source>
      <translation>Their value (saved)</translation>
    </message>
    <message>
      <source>Open a shared plan</source>
      <translation>Open a shared plan</translation>
    </message>
    <message>
      <source>PostgreSQL address of the shared plan, e.g.
postgresql+psycopg://planner@server/district_plan</source>
      <translation>PostgreSQL address of the shared plan, e.g.
postgresql+psycopg://planner@server/district_plan</translation>
    </message>
    <message>
      <source>That is not a database address.</source>
      <translation>That is not a database address.</translation>
    </message>
  </context>
  <context>
    <name>Editor</name>
    <message>
      <source>Edit {entity} #{pk}</source>
      <translation>Edit {entity} #{pk}</translation>
    </message>
    <message>
      <source>Add {entity}</source>
      <translation>Add {entity}</translation>
    </message>
    <message>
      <source>Delete {entity} #{pk}</source>
      <translation>Delete {entity} #{pk}</translation>
    </message>
    <message>
      <source>The plan refused the change: {msg}</source>
      <translation>The plan refused the change: {msg}</translation>
    </message>
  </context>
  <context>
    <name>Enums</name>
    <message>
      <source>Warehouse</source>
      <translation>Warehouse</translation>
    </message>
    <message>
      <source>Reserve point</source>
      <translation>Reserve point</translation>
    </message>
    <message>
      <source>Shelter</source>
      <translation>Shelter</translation>
    </message>
    <message>
      <source>Built</source>
      <translation>Built</translation>
    </message>
    <message>
      <source>Planned</source>
      <translation>Planned</translation>
    </message>
    <message>
      <source>Closed</source>
      <translation>Closed</translation>
    </message>
    <message>
      <source>District</source>
      <translation>District</translation>
    </message>
    <message>
      <source>Town</source>
      <translation>Town</translation>
    </message>
    <message>
      <source>Village</source>
      <translation>Village</translation>
    </message>
    <message>
      <source>Emergency</source>
      <translation>Emergency</translation>
    </message>
    <message>
      <source>Short-term</source>
      <translation>Short-term</translation>
    </message>
    <message>
      <source>Medium-term</source>
      <translation>Medium-term</translation>
    </message>
    <message>
      <source>Long-term</source>
      <translation>Long-term</translation>
    </message>
    <message>
      <source>Physical</source>
      <translation>Physical</translation>
    </message>
    <message>
      <source>Agreement</source>
      <translation>Agreement</translation>
    </message>
    <message>
      <source>Living</source>
      <translation>Living</translation>
    </message>
    <message>
      <source>Rescue</source>
      <translation>Rescue</translation>
    </message>
    <message>
      <source>Served</source>
      <translation>Served</translation>
    </message>
    <message>
      <source>Over capacity</source>
      <translation>Over capacity</translation>
    </message>
    <message>
      <source>Unreachable</source>
      <translation>Unreachable</translation>
    </message>
    <message>
      <source>Not located</source>
      <translation>Not located</translation>
    </message>
    <message>
      <source>Off network</source>
      <translation>Off network</translation>
    </message>
    <message>
      <source>Block roads</source>
      <translation>Block roads</translation>
    </message>
    <message>
      <source>Slow roads</source>
      <translation>Slow roads</translation>
    </message>
  </context>
  <context>
    <name>Forms</name>
    <message>
      <source>Add site</source>
      <translation>Add site</translation>
    </message>
    <message>
      <source>Edit site {code}</source>
      <translation>Edit site {code}</translation>
    </message>
    <message>
      <source>Add stock lot</source>
      <translation>Add stock lot</translation>
    </message>
    <message>
      <source>Agreement stock needs a lead time.</source>
      <translation>Agreement stock needs a lead time.</translation>
    </message>
    <message>
      <source>Add demand unit</source>
      <translation>Add demand unit</translation>
    </message>
    <message>
      <source>Add supply item</source>
      <translation>Add supply item</translation>
    </message>
  </context>
  <context>
    <name>IdentifyPanel</name>
    <message>
      <source>Click a site or a village on the map (or a row in a table) to see all it holds here; double-click a value to change it.</source>
      <translation>Click a site or a village on the map (or a row in a table) to see all it holds here; double-click a value to change it.</translation>
    </message>
    <message>
      <source>Site</source>
      <translation>Site</translation>
    </message>
    <message>
      <source>Demand unit</source>
      <translation>Demand unit</translation>
    </message>
  </context>
  <context>
    <name>ImportDialog</name>
    <message>
      <source>Import into the plan</source>
      <translation>Import into the plan</translation>
    </message>
    <message>
      <source>Road network (OpenStreetMap .osm/.pbf)</source>
      <translation>Road network (OpenStreetMap .osm/.pbf)</translation>
    </message>
    <message>
      <source>Road network (GeoJSON)</source>
      <translation>Road network (GeoJSON)</translation>
    </message>
    <message>
      <source>District boundary (GeoJSON)</source>
      <translation>District boundary (GeoJSON)</translation>
    </message>
    <message>
      <source>Sites: warehouses, points, shelters</source>
      <translation>Sites: warehouses, points, shelters</translation>
    </message>
    <message>
      <source>Supply catalogue</source>
      <translation>Supply catalogue</translation>
    </message>
    <message>
      <source>Stock lots</source>
      <translation>Stock lots</translation>
    </message>
    <message>
      <source>Demand units (villages)</source>
      <translation>Demand units (villages)</translation>
    </message>
    <message>
      <source>Towns</source>
      <translation>Towns</translation>
    </message>
    <message>
      <source>What</source>
      <translation>What</translation>
    </message>
    <message>
      <source>Browse…</source>
      <translation>Browse…</translation>
    </message>
    <message>
      <source>File</source>
      <translation>File</translation>
    </message>
    <message>
      <source>Field</source>
      <translation>Field</translation>
    </message>
    <message>
      <source>Problem</source>
      <translation>Problem</translation>
    </message>
    <message>
      <source>Value</source>
      <translation>Value</translation>
    </message>
    <message>
      <source>Add new rows (refuse existing codes)</source>
      <translation>Add new rows (refuse existing codes)</translation>
    </message>
    <message>
      <source>Add or update by code</source>
      <translation>Add or update by code</translation>
    </message>
    <message>
      <source>Replace the stock of the sites in the file (stock only)</source>
      <translation>Replace the stock of the sites in the file (stock only)</translation>
    </message>
    <message>
      <source>Mode</source>
      <translation>Mode</translation>
    </message>
    <message>
      <source>Replace an existing boundary, or the road network by a much smaller one</source>
      <translation>Replace an existing boundary, or the road network by a much smaller one</translation>
    </message>
    <message>
      <source>WGS84 / CGCS2000 (GPS)</source>
      <translation>WGS84 / CGCS2000 (GPS)</translation>
    </message>
    <message>
      <source>GCJ-02 (AMap, Tencent)</source>
      <translation>GCJ-02 (AMap, Tencent)</translation>
    </message>
    <message>
      <source>BD-09 (Baidu)</source>
      <translation>BD-09 (Baidu)</translation>
    </message>
    <message>
      <source>Coordinates</source>
      <translation>Coordinates</translation>
    </message>
    <message>
      <source>Columns</source>
      <translation>Columns</translation>
    </message>
    <message>
      <source>Import</source>
      <translation>Import</translation>
    </message>
    <message>
      <source>OpenStreetMap (*.osm *.pbf *.osm.pbf *.bz2)</source>
      <translation>OpenStreetMap (*.osm *.pbf *.osm.pbf *.bz2)</translation>
    </message>
    <message>
      <source>Tables (*.csv *.xlsx *.geojson *.json)</source>
      <translation>Tables (*.csv *.xlsx *.geojson *.json)</translation>
    </message>
    <message>
      <source>Choose a file</source>
      <translation>Choose a file</translation>
    </message>
    <message>
      <source>All files (*)</source>
      <translation>All files (*)</translation>
    </message>
    <message>
      <source>Choose a file to see its first rows.</source>
      <translation>Choose a file to see its first rows.</translation>
    </message>
    <message>
      <source>{name}: {size:,.0f} kB. No row preview for map data; the import checks everything before writing.</source>
      <translation>{name}: {size:,.0f} kB. No row preview for map data; the import checks everything before writing.</translation>
    </message>
    <message>
      <source>Cannot read the file: {err}</source>
      <translation>Cannot read the file: {err}</translation>
    </message>
    <message>
      <source>Row</source>
      <translation>Row</translation>
    </message>
    <message>
      <source>Preview: the first {shown} of {n} rows. Nothing is written until you press Import; if any row is bad nothing is written at all.</source>
      <translation>Preview: the first {shown} of {n} rows. Nothing is written until you press Import; if any row is bad nothing is written at all.</translation>
    </message>
    <message>
      <source>Import refused, nothing was written: {n} problem(s). Fix them in the file and import again.</source>
      <translation>Import refused, nothing was written: {n} problem(s). Fix them in the file and import again.</translation>
    </message>
    <message>
      <source>Match the file's columns to the template first (Columns…).</source>
      <translation>Match the file's columns to the template first (Columns…).</translation>
    </message>
    <message>
      <source>Imported.</source>
      <translation>Imported.</translation>
    </message>
    <message>
      <source>Import failed, nothing was written: {err}</source>
      <translation>Import failed, nothing was written: {err}</translation>
    </message>
  </context>
  <context>
    <name>LayerPanel</name>
    <message>
      <source>Online map tiles</source>
      <translation>Online map tiles</translation>
    </message>
    <message>
      <source>Basemap: built-up areas</source>
      <translation>Basemap: built-up areas</translation>
    </message>
    <message>
      <source>Basemap: water</source>
      <translation>Basemap: water</translation>
    </message>
    <message>
      <source>Basemap: rivers and streams</source>
      <translation>Basemap: rivers and streams</translation>
    </message>
    <message>
      <source>Basemap: buildings (when zoomed in)</source>
      <translation>Basemap: buildings (when zoomed in)</translation>
    </message>
    <message>
      <source>Boundaries</source>
      <translation>Boundaries</translation>
    </message>
    <message>
      <source>Shelter service areas</source>
      <translation>Shelter service areas</translation>
    </message>
    <message>
      <source>Roads: tracks and paths</source>
      <translation>Roads: tracks and paths</translation>
    </message>
    <message>
      <source>Roads: local</source>
      <translation>Roads: local</translation>
    </message>
    <message>
      <source>Roads: secondary and tertiary</source>
      <translation>Roads: secondary and tertiary</translation>
    </message>
    <message>
      <source>Roads: major</source>
      <translation>Roads: major</translation>
    </message>
    <message>
      <source>Hazard zones</source>
      <translation>Hazard zones</translation>
    </message>
    <message>
      <source>Villages / communities (demand)</source>
      <translation>Villages / communities (demand)</translation>
    </message>
    <message>
      <source>Cut off by road (last run)</source>
      <translation>Cut off by road (last run)</translation>
    </message>
    <message>
      <source>Shelters</source>
      <translation>Shelters</translation>
    </message>
    <message>
      <source>Reserve points</source>
      <translation>Reserve points</translation>
    </message>
    <message>
      <source>Warehouses</source>
      <translation>Warehouses</translation>
    </message>
    <message>
      <source>Labels</source>
      <translation>Labels</translation>
    </message>
    <message>
      <source>Top of the list is drawn on top. Drag a layer or use the arrows to move it.</source>
      <translation>Top of the list is drawn on top. Drag a layer or use the arrows to move it.</translation>
    </message>
    <message>
      <source>Draw the selected layer higher</source>
      <translation>Draw the selected layer higher</translation>
    </message>
    <message>
      <source>Draw the selected layer lower</source>
      <translation>Draw the selected layer lower</translation>
    </message>
    <message>
      <source>Source</source>
      <translation>Source</translation>
    </message>
    <message>
      <source>Tianditu key</source>
      <translation>Tianditu key</translation>
    </message>
    <message>
      <source>URL template</source>
      <translation>URL template</translation>
    </message>
    <message>
      <source>OpenStreetMap (standard)</source>
      <translation>OpenStreetMap (standard)</translation>
    </message>
    <message>
      <source>Tianditu (天地图) vector map (vec_w)</source>
      <translation>Tianditu (天地图) vector map (vec_w)</translation>
    </message>
    <message>
      <source>Custom URL</source>
      <translation>Custom URL</translation>
    </message>
    <message>
      <source>your Tianditu developer key (tk)</source>
      <translation>your Tianditu developer key (tk)</translation>
    </message>
    <message>
      <source>Tiles are fetched only while the layer is on and kept in a cache; offline, the cached tiles are drawn. The basemap from the OSM import needs no network.</source>
      <translation>Tiles are fetched only while the layer is on and kept in a cache; offline, the cached tiles are drawn. The basemap from the OSM import needs no network.</translation>
    </message>
  </context>
  <context>
    <name>MainWindow</name>
    <message>
      <source>esplan — emergency supplies &amp; shelter planner</source>
      <translation>esplan — emergency supplies &amp; shelter planner</translation>
    </message>
    <message>
      <source>&amp;File</source>
      <translation>&amp;File</translation>
    </message>
    <message>
      <source>&amp;Edit</source>
      <translation>&amp;Edit</translation>
    </message>
    <message>
      <source>&amp;View</source>
      <translation>&amp;View</translation>
    </message>
    <message>
      <source>&amp;Plan</source>
      <translation>&amp;Plan</translation>
    </message>
    <message>
      <source>&amp;Help</source>
      <translation>&amp;Help</translation>
    </message>
    <message>
      <source>Recent plans</source>
      <translation>Recent plans</translation>
    </message>
    <message>
      <source>Export</source>
      <translation>Export</translation>
    </message>
    <message>
      <source>Find on the map…</source>
      <translation>Find on the map…</translation>
    </message>
    <message>
      <source>A site or a village / community by code or name (Ctrl+F)</source>
      <translation>A site or a village / community by code or name (Ctrl+F)</translation>
    </message>
    <message>
      <source>Panels</source>
      <translation>Panels</translation>
    </message>
    <message>
      <source>Language</source>
      <translation>Language</translation>
    </message>
    <message>
      <source>&amp;New plan…</source>
      <translation>&amp;New plan…</translation>
    </message>
    <message>
      <source>&amp;Open plan…</source>
      <translation>&amp;Open plan…</translation>
    </message>
    <message>
      <source>Open &amp;shared plan (PostgreSQL)…</source>
      <translation>Open &amp;shared plan (PostgreSQL)…</translation>
    </message>
    <message>
      <source>Save plan &amp;as…</source>
      <translation>Save plan &amp;as…</translation>
    </message>
    <message>
      <source>&amp;Import…</source>
      <translation>&amp;Import…</translation>
    </message>
    <message>
      <source>&amp;Print plan (PDF)…</source>
      <translation>&amp;Print plan (PDF)…</translation>
    </message>
    <message>
      <source>&amp;Quit</source>
      <translation>&amp;Quit</translation>
    </message>
    <message>
      <source>&amp;Undo</source>
      <translation>&amp;Undo</translation>
    </message>
    <message>
      <source>&amp;Redo</source>
      <translation>&amp;Redo</translation>
    </message>
    <message>
      <source>Add &amp;site…</source>
      <translation>Add &amp;site…</translation>
    </message>
    <message>
      <source>&amp;Edit selected site…</source>
      <translation>&amp;Edit selected site…</translation>
    </message>
    <message>
      <source>&amp;Delete selected site</source>
      <translation>&amp;Delete selected site</translation>
    </message>
    <message>
      <source>Add stock &amp;lot…</source>
      <translation>Add stock &amp;lot…</translation>
    </message>
    <message>
      <source>Add &amp;demand unit…</source>
      <translation>Add &amp;demand unit…</translation>
    </message>
    <message>
      <source>Add supply &amp;item…</source>
      <translation>Add supply &amp;item…</translation>
    </message>
    <message>
      <source>&amp;Fit map</source>
      <translation>&amp;Fit map</translation>
    </message>
    <message>
      <source>Zoom &amp;in</source>
      <translation>Zoom &amp;in</translation>
    </message>
    <message>
      <source>Zoom &amp;out</source>
      <translation>Zoom &amp;out</translation>
    </message>
    <message>
      <source>Show &amp;labels</source>
      <translation>Show &amp;labels</translation>
    </message>
    <message>
      <source>Show service &amp;areas</source>
      <translation>Show service &amp;areas</translation>
    </message>
    <message>
      <source>Show the l&amp;egend</source>
      <translation>Show the l&amp;egend</translation>
    </message>
    <message>
      <source>&amp;Run</source>
      <translation>&amp;Run</translation>
    </message>
    <message>
      <source>&amp;Cancel run</source>
      <translation>&amp;Cancel run</translation>
    </message>
    <message>
      <source>&amp;Compare scenarios…</source>
      <translation>&amp;Compare scenarios…</translation>
    </message>
    <message>
      <source>Plan &amp;figures…</source>
      <translation>Plan &amp;figures…</translation>
    </message>
    <message>
      <source>Printed plan &amp;particulars…</source>
      <translation>Printed plan &amp;particulars…</translation>
    </message>
    <message>
      <source>&amp;Select / pan</source>
      <translation>&amp;Select / pan</translation>
    </message>
    <message>
      <source>Draw &amp;hazard zone</source>
      <translation>Draw &amp;hazard zone</translation>
    </message>
    <message>
      <source>&amp;Measure distance / area</source>
      <translation>&amp;Measure distance / area</translation>
    </message>
    <message>
      <source>Zoom to &amp;selection</source>
      <translation>Zoom to &amp;selection</translation>
    </message>
    <message>
      <source>&amp;About esplan</source>
      <translation>&amp;About esplan</translation>
    </message>
    <message>
      <source>Open the &amp;log file</source>
      <translation>Open the &amp;log file</translation>
    </message>
    <message>
      <source>User &amp;manual</source>
      <translation>User &amp;manual</translation>
    </message>
    <message>
      <source>&amp;Save (automatic)</source>
      <translation>&amp;Save (automatic)</translation>
    </message>
    <message>
      <source>Identify (all attributes)</source>
      <translation>Identify (all attributes)</translation>
    </message>
    <message>
      <source>Close in the current scenario</source>
      <translation>Close in the current scenario</translation>
    </message>
    <message>
      <source>Map view (PNG or PDF)…</source>
      <translation>Map view (PNG or PDF)…</translation>
    </message>
    <message>
      <source>Run the checks for the current scenario (F5)</source>
      <translation>Run the checks for the current scenario (F5)</translation>
    </message>
    <message>
      <source>Click the corners of a flood zone; double-click to finish (H)</source>
      <translation>Click the corners of a flood zone; double-click to finish (H)</translation>
    </message>
    <message>
      <source>Measure a distance along a line, or the area it encloses (D)</source>
      <translation>Measure a distance along a line, or the area it encloses (D)</translation>
    </message>
    <message>
      <source>Fit the map to the selected or highlighted sites and villages (Z)</source>
      <translation>Fit the map to the selected or highlighted sites and villages (Z)</translation>
    </message>
    <message>
      <source>Sites…</source>
      <translation>Sites…</translation>
    </message>
    <message>
      <source>Supply catalogue…</source>
      <translation>Supply catalogue…</translation>
    </message>
    <message>
      <source>Stock lots…</source>
      <translation>Stock lots…</translation>
    </message>
    <message>
      <source>Demand units…</source>
      <translation>Demand units…</translation>
    </message>
    <message>
      <source>Towns…</source>
      <translation>Towns…</translation>
    </message>
    <message>
      <source>Boundaries (GeoJSON)…</source>
      <translation>Boundaries (GeoJSON)…</translation>
    </message>
    <message>
      <source>Main toolbar</source>
      <translation>Main toolbar</translation>
    </message>
    <message>
      <source>Sites</source>
      <translation>Sites</translation>
    </message>
    <message>
      <source>Stock</source>
      <translation>Stock</translation>
    </message>
    <message>
      <source>Population</source>
      <translation>Population</translation>
    </message>
    <message>
      <source>Supply catalogue</source>
      <translation>Supply catalogue</translation>
    </message>
    <message>
      <source>Messages</source>
      <translation>Messages</translation>
    </message>
    <message>
      <source>Results</source>
      <translation>Results</translation>
    </message>
    <message>
      <source>Scenarios</source>
      <translation>Scenarios</translation>
    </message>
    <message>
      <source>Identify</source>
      <translation>Identify</translation>
    </message>
    <message>
      <source>Data completeness</source>
      <translation>Data completeness</translation>
    </message>
    <message>
      <source>Map layers</source>
      <translation>Map layers</translation>
    </message>
    <message>
      <source>Village / community (no run yet)</source>
      <translation>Village / community (no run yet)</translation>
    </message>
    <message>
      <source>Village / community without population (not counted)</source>
      <translation>Village / community without population (not counted)</translation>
    </message>
    <message>
      <source>Hazard zone</source>
      <translation>Hazard zone</translation>
    </message>
    <message>
      <source>Planned (not built yet)</source>
      <translation>Planned (not built yet)</translation>
    </message>
    <message>
      <source>Closed (in the plan or the scenario)</source>
      <translation>Closed (in the plan or the scenario)</translation>
    </message>
    <message>
      <source>Cut off by road (no supply source reaches it)</source>
      <translation>Cut off by road (no supply source reaches it)</translation>
    </message>
    <message>
      <source>Shelter service area (walking)</source>
      <translation>Shelter service area (walking)</translation>
    </message>
    <message>
      <source>Cannot open plan</source>
      <translation>Cannot open plan</translation>
    </message>
    <message>
      <source>Opening {loc}…</source>
      <translation>Opening {loc}…</translation>
    </message>
    <message>
      <source>Opened {loc}: {sites} sites, {units} demand units, {lots} stock lots, {edges} road edges.</source>
      <translation>Opened {loc}: {sites} sites, {units} demand units, {lots} stock lots, {edges} road edges.</translation>
    </message>
    <message>
      <source>esplan plans (*.esplan)</source>
      <translation>esplan plans (*.esplan)</translation>
    </message>
    <message>
      <source>Open plan</source>
      <extracomment>the engine's modules, imported one at a time while the window idles after a plan opens (each ≤ ~65 ms here). Imported by the first run on the worker thread instead, their C extensions' set-up held the interpreter lock and froze the window for up to 0.2 s.</extracomment>
      <translation>Open plan</translation>
    </message>
    <message>
      <source>esplan plans (*.esplan);;All files (*)</source>
      <translation>esplan plans (*.esplan);;All files (*)</translation>
    </message>
    <message>
      <source>Save plan as</source>
      <translation>Save plan as</translation>
    </message>
    <message>
      <source>A shared PostgreSQL plan is saved on the server; use the database's own backup to copy it.</source>
      <translation>A shared PostgreSQL plan is saved on the server; use the database's own backup to copy it.</translation>
    </message>
    <message>
      <source>Saved a copy as {path}; you are now working in the copy.</source>
      <translation>Saved a copy as {path}; you are now working in the copy.</translation>
    </message>
    <message>
      <source>Refused: {msg}</source>
      <translation>Refused: {msg}</translation>
    </message>
    <message>
      <source>Invalid value</source>
      <translation>Invalid value</translation>
    </message>
    <message>
      <source>Change refused</source>
      <translation>Change refused</translation>
    </message>
    <message>
      <source>Edit conflict: {msg}</source>
      <translation>Edit conflict: {msg}</translation>
    </message>
    <message>
      <source>Edit {what} of {row}</source>
      <translation>Edit {what} of {row}</translation>
    </message>
    <message>
      <source>Undone: {text}</source>
      <translation>Undone: {text}</translation>
    </message>
    <message>
      <source>Redone: {text}</source>
      <translation>Redone: {text}</translation>
    </message>
    <message>
      <source>No site or village matches “{text}”.</source>
      <translation>No site or village matches “{text}”.</translation>
    </message>
    <message>
      <source>“{text}” has no coordinates: it is not on the map.</source>
      <translation>“{text}” has no coordinates: it is not on the map.</translation>
    </message>
    <message>
      <source>Results are out of date — press F5 to rerun</source>
      <translation>Results are out of date — press F5 to rerun</translation>
    </message>
    <message>
      <source>Not on the map: {n} units, {s} sites</source>
      <translation>Not on the map: {n} units, {s} sites</translation>
    </message>
    <message>
      <source>Not on the map: {n} units ({p:,} people), {s} sites</source>
      <translation>Not on the map: {n} units ({p:,} people), {s} sites</translation>
    </message>
    <message>
      <source>Add site {code}</source>
      <translation>Add site {code}</translation>
    </message>
    <message>
      <source>Edit site {code}</source>
      <translation>Edit site {code}</translation>
    </message>
    <message>
      <source>Delete site</source>
      <translation>Delete site</translation>
    </message>
    <message>
      <source>Delete {code} {name} and its stock lots? (Undo restores them.)</source>
      <translation>Delete {code} {name} and its stock lots? (Undo restores them.)</translation>
    </message>
    <message>
      <source>Delete site {code}</source>
      <translation>Delete site {code}</translation>
    </message>
    <message>
      <source>Add stock lot</source>
      <translation>Add stock lot</translation>
    </message>
    <message>
      <source>Delete stock lot</source>
      <translation>Delete stock lot</translation>
    </message>
    <message>
      <source>Add demand unit {code}</source>
      <translation>Add demand unit {code}</translation>
    </message>
    <message>
      <source>Add supply item {code}</source>
      <translation>Add supply item {code}</translation>
    </message>
    <message>
      <source>Change the printed plan's particulars</source>
      <translation>Change the printed plan's particulars</translation>
    </message>
    <message>
      <source>Change plan figures: {names}</source>
      <translation>Change plan figures: {names}</translation>
    </message>
    <message>
      <source>{what}; rerunning.</source>
      <translation>{what}; rerunning.</translation>
    </message>
    <message>
      <source>Move on the map</source>
      <translation>Move on the map</translation>
    </message>
    <message>
      <source>Add a site here…</source>
      <translation>Add a site here…</translation>
    </message>
    <message>
      <source>Click points along the way; double-click or right-click to finish (three points or more: also the area they enclose); Esc to stop.</source>
      <translation>Click points along the way; double-click or right-click to finish (three points or more: also the area they enclose); Esc to stop.</translation>
    </message>
    <message>
      <source>Click the corners of the hazard zone; double-click to finish, Esc to cancel.</source>
      <translation>Click the corners of the hazard zone; double-click to finish, Esc to cancel.</translation>
    </message>
    <message>
      <source>Click the map to place the site; Esc to cancel.</source>
      <translation>Click the map to place the site; Esc to cancel.</translation>
    </message>
    <message>
      <source>{v:,.2f} km</source>
      <translation>{v:,.2f} km</translation>
    </message>
    <message>
      <source>{v:,.0f} m</source>
      <translation>{v:,.0f} m</translation>
    </message>
    <message>
      <source>Distance along the line: {d}</source>
      <translation>Distance along the line: {d}</translation>
    </message>
    <message>
      <source>{v:,.2f} km²</source>
      <translation>{v:,.2f} km²</translation>
    </message>
    <message>
      <source>{v:,.0f} m² ({ha:,.2f} ha)</source>
      <translation>{v:,.0f} m² ({ha:,.2f} ha)</translation>
    </message>
    <message>
      <source>; area enclosed: {a}</source>
      <translation>; area enclosed: {a}</translation>
    </message>
    <message>
      <source>Nothing is selected or highlighted on the map.</source>
      <translation>Nothing is selected or highlighted on the map.</translation>
    </message>
    <message>
      <source>Flood</source>
      <translation>Flood</translation>
    </message>
    <message>
      <source>Hazard zones belong to a scenario: created scenario “{name}”.</source>
      <translation>Hazard zones belong to a scenario: created scenario “{name}”.</translation>
    </message>
    <message>
      <source>Click the map where {code} {name} lies; Esc to cancel.</source>
      <translation>Click the map where {code} {name} lies; Esc to cancel.</translation>
    </message>
    <message>
      <source>Hazard zone added to scenario “{name}” ({n} corners); rerunning.</source>
      <translation>Hazard zone added to scenario “{name}” ({n} corners); rerunning.</translation>
    </message>
    <message>
      <source>Place {code} {name} on the map</source>
      <translation>Place {code} {name} on the map</translation>
    </message>
    <message>
      <source>Move site {code}</source>
      <translation>Move site {code}</translation>
    </message>
    <message>
      <source>Close a site</source>
      <translation>Close a site</translation>
    </message>
    <message>
      <source>Select a site in the table or on the map first.</source>
      <translation>Select a site in the table or on the map first.</translation>
    </message>
    <message>
      <source>{n} recommended action(s): served share {a:.1%} → {b:.1%}.</source>
      <translation>{n} recommended action(s): served share {a:.1%} → {b:.1%}.</translation>
    </message>
    <message>
      <source>No reserve point is needed: {n} of {m} located villages / communities are within the delivery deadline; {u} are not located or far from the roads.</source>
      <translation>No reserve point is needed: {n} of {m} located villages / communities are within the delivery deadline; {u} are not located or far from the roads.</translation>
    </message>
    <message>
      <source>{n} recommended action(s).</source>
      <translation>{n} recommended action(s).</translation>
    </message>
    <message>
      <source>Served within the limit: {a:.1%} now → {b:.1%} with all applied</source>
      <translation>Served within the limit: {a:.1%} now → {b:.1%} with all applied</translation>
    </message>
    <message>
      <source> (target {t:.1%}: {gap:+.1f} pp)</source>
      <translation> (target {t:.1%}: {gap:+.1f} pp)</translation>
    </message>
    <message>
      <source>optimal (proven)</source>
      <translation>optimal (proven)</translation>
    </message>
    <message>
      <source>feasible, not proven optimal</source>
      <translation>feasible, not proven optimal</translation>
    </message>
    <message>
      <source>the target cannot be reached with these candidates</source>
      <translation>the target cannot be reached with these candidates</translation>
    </message>
    <message>
      <source>the target is already met</source>
      <translation>the target is already met</translation>
    </message>
    <message>
      <source>no bound</source>
      <translation>no bound</translation>
    </message>
    <message>
      <source>Solver: {status}; proven gap {gap}; time limit {limit:g} s{took}.</source>
      <translation>Solver: {status}; proven gap {gap}; time limit {limit:g} s{took}.</translation>
    </message>
    <message>
      <source>, took {s:.1f} s</source>
      <translation>, took {s:.1f} s</translation>
    </message>
    <message>
      <source>{n} recommendation(s) applied to scenario “{name}”.</source>
      <translation>{n} recommendation(s) applied to scenario “{name}”.</translation>
    </message>
    <message>
      <source>Run finished: {passed} checks passed, {failed} failed, {unknown} not assessable; served within the limit {share}.</source>
      <translation>Run finished: {passed} checks passed, {failed} failed, {unknown} not assessable; served within the limit {share}.</translation>
    </message>
    <message>
      <source>Recommended</source>
      <translation>Recommended</translation>
    </message>
    <message>
      <source>&amp;Place / move on the map</source>
      <translation>&amp;Place / move on the map</translation>
    </message>
    <message>
      <source>Click the map to move the selected site or village (also one not yet located), or to place a new site (M)</source>
      <translation>Click the map to move the selected site or village (also one not yet located), or to place a new site (M)</translation>
    </message>
    <message>
      <source>Apply recommendation to scenario {name}</source>
      <translation>Apply recommendation to scenario {name}</translation>
    </message>
    <message>
      <source>Failed: {err}</source>
      <translation>Failed: {err}</translation>
    </message>
    <message>
      <source>The run failed</source>
      <translation>The run failed</translation>
    </message>
    <message>
      <source>Cancelled.</source>
      <translation>Cancelled.</translation>
    </message>
    <message>
      <source>{label}: {s} sites and {u} villages / communities highlighted.</source>
      <translation>{label}: {s} sites and {u} villages / communities highlighted.</translation>
    </message>
    <message>
      <source>Import {file}</source>
      <translation>Import {file}</translation>
    </message>
    <message>
      <source>Excel (*.xlsx);;CSV (*.csv);;GeoJSON (*.geojson)</source>
      <translation>Excel (*.xlsx);;CSV (*.csv);;GeoJSON (*.geojson)</translation>
    </message>
    <message>
      <source>Exported {n} rows to {path}.</source>
      <translation>Exported {n} rows to {path}.</translation>
    </message>
    <message>
      <source>map</source>
      <translation>map</translation>
    </message>
    <message>
      <source>Export the map view</source>
      <translation>Export the map view</translation>
    </message>
    <message>
      <source>PNG image (*.png);;PDF (*.pdf)</source>
      <translation>PNG image (*.png);;PDF (*.pdf)</translation>
    </message>
    <message>
      <source>Could not write {path}.</source>
      <translation>Could not write {path}.</translation>
    </message>
    <message>
      <source>Map view saved as {path}.</source>
      <translation>Map view saved as {path}.</translation>
    </message>
    <message>
      <source>Report written: {path}</source>
      <translation>Report written: {path}</translation>
    </message>
    <message>
      <source>Language: {lang}</source>
      <translation>Language: {lang}</translation>
    </message>
    <message>
      <source>Every edit is saved in the plan as you make it ({where}); use Save As for a copy.</source>
      <translation>Every edit is saved in the plan as you make it ({where}); use Save As for a copy.</translation>
    </message>
    <message>
      <source>Log file</source>
      <translation>Log file</translation>
    </message>
    <message>
      <source>No log file has been written yet.</source>
      <translation>No log file has been written yet.</translation>
    </message>
    <message>
      <source>Log file: {path}</source>
      <translation>Log file: {path}</translation>
    </message>
    <message>
      <source>About esplan</source>
      <translation>About esplan</translation>
    </message>
    <message>
      <source>&lt;h3&gt;esplan — emergency supplies &amp;amp; shelter planner&lt;/h3&gt;&lt;p&gt;Registry, 72-hour supply and 15-minute shelter coverage checks, what-if scenarios and the printed plan, offline.&lt;/p&gt;&lt;p&gt;Maps: © OpenStreetMap contributors (ODbL).&lt;/p&gt;&lt;p&gt;GPL-3.0-or-later&lt;/p&gt;</source>
      <translation>&lt;h3&gt;esplan — emergency supplies &amp;amp; shelter planner&lt;/h3&gt;&lt;p&gt;Registry, 72-hour supply and 15-minute shelter coverage checks, what-if scenarios and the printed plan, offline.&lt;/p&gt;&lt;p&gt;Maps: © OpenStreetMap contributors (ODbL).&lt;/p&gt;&lt;p&gt;GPL-3.0-or-later&lt;/p&gt;</translation>
    </message>
  </context>
  <context>
    <name>ManualDialog</name>
    <message>
      <source>User manual</source>
      <translation>User manual</translation>
    </message>
  </context>
  <context>
    <name>NewPlanWizard</name>
    <message>
      <source>New plan</source>
      <translation>New plan</translation>
    </message>
    <message>
      <source>Create</source>
      <translation>Create</translation>
    </message>
    <message>
      <source>The partly made plan file is kept, as you asked.</source>
      <translation>The partly made plan file is kept, as you asked.</translation>
    </message>
    <message>
      <source>No plan file was left behind.</source>
      <translation>No plan file was left behind.</translation>
    </message>
    <message>
      <source>Refused: {n} problem(s), listed below. Fix the file and press Create again.</source>
      <translation>Refused: {n} problem(s), listed below. Fix the file and press Create again.</translation>
    </message>
    <message>
      <source>Failed: {err}</source>
      <translation>Failed: {err}</translation>
    </message>
    <message>
      <source>Cancelled. No plan file was left behind.</source>
      <translation>Cancelled. No plan file was left behind.</translation>
    </message>
  </context>
  <context>
    <name>OsmPage</name>
    <message>
      <source>Road network</source>
      <translation>Road network</translation>
    </message>
    <message>
      <source>An OpenStreetMap extract (.osm or .osm.pbf) that covers the district. Optional: without roads the 15-minute and supply checks cannot be assessed.</source>
      <translation>An OpenStreetMap extract (.osm or .osm.pbf) that covers the district. Optional: without roads the 15-minute and supply checks cannot be assessed.</translation>
    </message>
    <message>
      <source>.osm / .osm.pbf file (optional)</source>
      <translation>.osm / .osm.pbf file (optional)</translation>
    </message>
    <message>
      <source>Browse…</source>
      <translation>Browse…</translation>
    </message>
    <message>
      <source>OSM extract</source>
      <translation>OSM extract</translation>
    </message>
    <message>
      <source>Keep roads beyond the boundary up to</source>
      <translation>Keep roads beyond the boundary up to</translation>
    </message>
    <message>
      <source>Choose a file</source>
      <translation>Choose a file</translation>
    </message>
    <message>
      <source>OpenStreetMap (*.osm *.pbf *.osm.pbf *.bz2)</source>
      <translation>OpenStreetMap (*.osm *.pbf *.osm.pbf *.bz2)</translation>
    </message>
    <message>
      <source>The file {path} does not exist.</source>
      <translation>The file {path} does not exist.</translation>
    </message>
    <message>
      <source>The roads are clipped to the district boundary widened by this buffer (default {d:,} m), so villages near the edge still reach a road.</source>
      <translation>The roads are clipped to the district boundary widened by this buffer (default {d:,} m), so villages near the edge still reach a road.</translation>
    </message>
    <message>
      <source>No boundary was given: the whole extract is imported, not clipped.</source>
      <translation>No boundary was given: the whole extract is imported, not clipped.</translation>
    </message>
  </context>
  <context>
    <name>PlanDocument</name>
    <message>
      <source>Issuing office</source>
      <translation>Issuing office</translation>
    </message>
    <message>
      <source>Document number</source>
      <translation>Document number</translation>
    </message>
    <message>
      <source>Plan period from</source>
      <translation>Plan period from</translation>
    </message>
    <message>
      <source>Plan period to</source>
      <translation>Plan period to</translation>
    </message>
    <message>
      <source>Prepared by</source>
      <translation>Prepared by</translation>
    </message>
    <message>
      <source>Reviewed by</source>
      <translation>Reviewed by</translation>
    </message>
    <message>
      <source>Approved by</source>
      <translation>Approved by</translation>
    </message>
    <message>
      <source>English title</source>
      <translation>English title</translation>
    </message>
    <message>
      <source>Further basis (one a line)</source>
      <translation>Further basis (one a line)</translation>
    </message>
    <message>
      <source>Implementation</source>
      <translation>Implementation</translation>
    </message>
    <message>
      <source>Safeguards</source>
      <translation>Safeguards</translation>
    </message>
  </context>
  <context>
    <name>PlanDocumentDialog</name>
    <message>
      <source>Printed plan particulars</source>
      <translation>Printed plan particulars</translation>
    </message>
    <message>
      <source>What the cover and the bureau's own chapters of the printed plan say. A field left empty is printed as not filled in.</source>
      <translation>What the cover and the bureau's own chapters of the printed plan say. A field left empty is printed as not filled in.</translation>
    </message>
    <message>
      <source>Plan period</source>
      <translation>Plan period</translation>
    </message>
    <message>
      <source>not set</source>
      <translation>not set</translation>
    </message>
    <message>
      <source>The plan period ends before it starts.</source>
      <translation>The plan period ends before it starts.</translation>
    </message>
  </context>
  <context>
    <name>PlanFigures</name>
    <message>
      <source>Planning population</source>
      <translation>Planning population</translation>
    </message>
    <message>
      <source>Sheltering share</source>
      <translation>Sheltering share</translation>
    </message>
    <message>
      <source>Supply population</source>
      <translation>Supply population</translation>
    </message>
    <message>
      <source>Event date</source>
      <translation>Event date</translation>
    </message>
  </context>
  <context>
    <name>PlanFiguresDialog</name>
    <message>
      <source>Plan figures</source>
      <translation>Plan figures</translation>
    </message>
    <message>
      <source>The district's own figures. A figure not set takes the default shown; a scenario can override each (Scenarios panel).</source>
      <translation>The district's own figures. A figure not set takes the default shown; a scenario can override each (Scenarios panel).</translation>
    </message>
    <message>
      <source> people</source>
      <translation> people</translation>
    </message>
    <message>
      <source>Checked: set in the plan. Unchecked: not set, the default applies.</source>
      <translation>Checked: set in the plan. Unchecked: not set, the default applies.</translation>
    </message>
    <message>
      <source>Demand units: {n}, population {pop} in total; {unknown} without a population figure.</source>
      <translation>Demand units: {n}, population {pop} in total; {unknown} without a population figure.</translation>
    </message>
    <message>
      <source>Towns with their own sheltering share (esplan-cli plan set-town-share): {towns}</source>
      <translation>Towns with their own sheltering share (esplan-cli plan set-town-share): {towns}</translation>
    </message>
    <message>
      <source>the demand units' population sum — unknown, no unit has a population yet</source>
      <translation>the demand units' population sum — unknown, no unit has a population yet</translation>
    </message>
    <message>
      <source>the demand units' population sum, {n}</source>
      <translation>the demand units' population sum, {n}</translation>
    </message>
    <message>
      <source>everyone, {share}</source>
      <translation>everyone, {share}</translation>
    </message>
    <message>
      <source>the planning population, {n}</source>
      <translation>the planning population, {n}</translation>
    </message>
    <message>
      <source>the day of the run (today {date})</source>
      <translation>the day of the run (today {date})</translation>
    </message>
    <message>
      <source>Set in the plan (not set, it would be {default})</source>
      <translation>Set in the plan (not set, it would be {default})</translation>
    </message>
    <message>
      <source>Not set — {default}</source>
      <translation>Not set — {default}</translation>
    </message>
    <message>
      <source>The plan did not take the change (see the message). The figures were read again: OK saves yours over them, Cancel keeps the plan's.</source>
      <translation>The plan did not take the change (see the message). The figures were read again: OK saves yours over them, Cancel keeps the plan's.</translation>
    </message>
  </context>
  <context>
    <name>PlanPage</name>
    <message>
      <source>The new plan</source>
      <extracomment>the registry tables the wizard imports, in the order shown (kind of planner.io.tables) the tables with coordinates (a coordinate system to choose)</extracomment>
      <translation>The new plan</translation>
    </message>
    <message>
      <source>Where the plan file goes, its name and the district it is for.</source>
      <translation>Where the plan file goes, its name and the district it is for.</translation>
    </message>
    <message>
      <source>Browse…</source>
      <translation>Browse…</translation>
    </message>
    <message>
      <source>Plan file</source>
      <translation>Plan file</translation>
    </message>
    <message>
      <source>e.g. 山亭区应急物资与避难场所规划 2026</source>
      <translation>e.g. 山亭区应急物资与避难场所规划 2026</translation>
    </message>
    <message>
      <source>Plan name</source>
      <translation>Plan name</translation>
    </message>
    <message>
      <source>e.g. 山亭区</source>
      <translation>e.g. 山亭区</translation>
    </message>
    <message>
      <source>District name</source>
      <translation>District name</translation>
    </message>
    <message>
      <source>6-digit division code, e.g. 370406</source>
      <translation>6-digit division code, e.g. 370406</translation>
    </message>
    <message>
      <source>District code</source>
      <translation>District code</translation>
    </message>
    <message>
      <source>New plan</source>
      <translation>New plan</translation>
    </message>
    <message>
      <source>esplan plans (*.esplan)</source>
      <translation>esplan plans (*.esplan)</translation>
    </message>
    <message>
      <source>{path} already exists: choose another name (a new plan never overwrites a file).</source>
      <translation>{path} already exists: choose another name (a new plan never overwrites a file).</translation>
    </message>
    <message>
      <source>The folder {folder} does not exist.</source>
      <translation>The folder {folder} does not exist.</translation>
    </message>
  </context>
  <context>
    <name>RecordDialog</name>
    <message>
      <source>{field} is required.</source>
      <translation>{field} is required.</translation>
    </message>
  </context>
  <context>
    <name>RegisterPanel</name>
    <message>
      <source>Copy (tab-separated)</source>
      <translation>Copy (tab-separated)</translation>
    </message>
    <message>
      <source>Delete…</source>
      <translation>Delete…</translation>
    </message>
  </context>
  <context>
    <name>ReportDialog</name>
    <message>
      <source>Print the plan (PDF)</source>
      <translation>Print the plan (PDF)</translation>
    </message>
    <message>
      <source>Baseline</source>
      <translation>Baseline</translation>
    </message>
    <message>
      <source>Scenario</source>
      <translation>Scenario</translation>
    </message>
    <message>
      <source>Tick the scenarios to compare with; every change is printed as scenario − baseline, in percentage points</source>
      <translation>Tick the scenarios to compare with; every change is printed as scenario − baseline, in percentage points</translation>
    </message>
    <message>
      <source>Compare with</source>
      <translation>Compare with</translation>
    </message>
    <message>
      <source>Include the shelter recommendation (verified by a rerun)</source>
      <translation>Include the shelter recommendation (verified by a rerun)</translation>
    </message>
    <message>
      <source>Language</source>
      <translation>Language</translation>
    </message>
    <message>
      <source>Prepared by</source>
      <translation>Prepared by</translation>
    </message>
    <message>
      <source>Browse…</source>
      <translation>Browse…</translation>
    </message>
    <message>
      <source>PDF file</source>
      <translation>PDF file</translation>
    </message>
    <message>
      <source>Write PDF</source>
      <translation>Write PDF</translation>
    </message>
    <message>
      <source>Save the PDF as</source>
      <translation>Save the PDF as</translation>
    </message>
    <message>
      <source>Writing {path} …</source>
      <translation>Writing {path} …</translation>
    </message>
    <message>
      <source>The PDF could not be written: {err}</source>
      <translation>The PDF could not be written: {err}</translation>
    </message>
    <message>
      <source>Cancelled.</source>
      <translation>Cancelled.</translation>
    </message>
  </context>
  <context>
    <name>ResultsPanel</name>
    <message>
      <source>Checks</source>
      <translation>Checks</translation>
    </message>
    <message>
      <source>Charts</source>
      <translation>Charts</translation>
    </message>
    <message>
      <source>&lt;i&gt;No run yet. Press &lt;b&gt;Run&lt;/b&gt; (F5) to check the plan.&lt;/i&gt;</source>
      <translation>&lt;i&gt;No run yet. Press &lt;b&gt;Run&lt;/b&gt; (F5) to check the plan.&lt;/i&gt;</translation>
    </message>
    <message>
      <source>72-hour supply: in time as a share of required</source>
      <translation>72-hour supply: in time as a share of required</translation>
    </message>
    <message>
      <source>Shelter utilisation</source>
      <translation>Shelter utilisation</translation>
    </message>
    <message>
      <source>baseline</source>
      <translation>baseline</translation>
    </message>
    <message>
      <source>&lt;b&gt;{scenario}&lt;/b&gt; · &lt;span style='color:{colour}'&gt;&lt;b&gt;{passed} passed, {failed} failed, {unknown} not assessable&lt;/b&gt;&lt;/span&gt;&lt;br&gt;Served within the limit: &lt;b&gt;{share}&lt;/b&gt; of {demand} people · over capacity {over} · unreachable {unreach} · not located {unloc}&lt;br&gt;72-h supply shortfall: {items} items, ¥{cost}</source>
      <translation>&lt;b&gt;{scenario}&lt;/b&gt; · &lt;span style='color:{colour}'&gt;&lt;b&gt;{passed} passed, {failed} failed, {unknown} not assessable&lt;/b&gt;&lt;/span&gt;&lt;br&gt;Served within the limit: &lt;b&gt;{share}&lt;/b&gt; of {demand} people · over capacity {over} · unreachable {unreach} · not located {unloc}&lt;br&gt;72-h supply shortfall: {items} items, ¥{cost}</translation>
    </message>
    <message>
      <source> (incomplete: {n} items without a price)</source>
      <translation> (incomplete: {n} items without a price)</translation>
    </message>
    <message>
      <source>Select a check to see its numerator, denominator and the source of its target.</source>
      <translation>Select a check to see its numerator, denominator and the source of its target.</translation>
    </message>
    <message>
      <source>Shelter utilisation (25 fullest)</source>
      <translation>Shelter utilisation (25 fullest)</translation>
    </message>
    <message>
      <source>{n} of {cap} people</source>
      <translation>{n} of {cap} people</translation>
    </message>
    <message>
      <source>Target from: {0}</source>
      <translation>Target from: {0}</translation>
    </message>
  </context>
  <context>
    <name>ScenarioPanel</name>
    <message>
      <source>New</source>
      <translation>New</translation>
    </message>
    <message>
      <source>Copy</source>
      <translation>Copy</translation>
    </message>
    <message>
      <source>Rename</source>
      <translation>Rename</translation>
    </message>
    <message>
      <source>Delete</source>
      <translation>Delete</translation>
    </message>
    <message>
      <source>Hazard zones and closures</source>
      <translation>Hazard zones and closures</translation>
    </message>
    <message>
      <source>Draw flood zone</source>
      <translation>Draw flood zone</translation>
    </message>
    <message>
      <source>Close selected site</source>
      <translation>Close selected site</translation>
    </message>
    <message>
      <source>Remove</source>
      <translation>Remove</translation>
    </message>
    <message>
      <source>Parameters (— = plan default)</source>
      <translation>Parameters (— = plan default)</translation>
    </message>
    <message>
      <source>Supply population</source>
      <translation>Supply population</translation>
    </message>
    <message>
      <source>保障人口: the people the 72-hour supply must cover in this scenario (— = the plan's figure, Plan ▸ Plan figures…)</source>
      <translation>保障人口: the people the 72-hour supply must cover in this scenario (— = the plan's figure, Plan ▸ Plan figures…)</translation>
    </message>
    <message>
      <source>灾害发生日期: stock must be unexpired on this day (empty = the plan's figure, Plan ▸ Plan figures…)</source>
      <translation>灾害发生日期: stock must be unexpired on this day (empty = the plan's figure, Plan ▸ Plan figures…)</translation>
    </message>
    <message>
      <source>Time limit, min</source>
      <translation>Time limit, min</translation>
    </message>
    <message>
      <source>Walking speed, m/s</source>
      <translation>Walking speed, m/s</translation>
    </message>
    <message>
      <source>Event date</source>
      <translation>Event date</translation>
    </message>
    <message>
      <source>Apply parameters</source>
      <translation>Apply parameters</translation>
    </message>
    <message>
      <source>Run scenario</source>
      <translation>Run scenario</translation>
    </message>
    <message>
      <source>Compare scenarios</source>
      <translation>Compare scenarios</translation>
    </message>
    <message>
      <source>Recommendations</source>
      <translation>Recommendations</translation>
    </message>
    <message>
      <source>Recommend sites</source>
      <translation>Recommend sites</translation>
    </message>
    <message>
      <source>Fewest new shelters to reach the target</source>
      <translation>Fewest new shelters to reach the target</translation>
    </message>
    <message>
      <source>The best k new shelters</source>
      <translation>The best k new shelters</translation>
    </message>
    <message>
      <source>Reserve points within the delivery deadline</source>
      <translation>Reserve points within the delivery deadline</translation>
    </message>
    <message>
      <source>Apply to scenario</source>
      <translation>Apply to scenario</translation>
    </message>
    <message>
      <source>Baseline (the plan as registered)</source>
      <translation>Baseline (the plan as registered)</translation>
    </message>
    <message>
      <source>Hazard zone: {name} ({effect})</source>
      <translation>Hazard zone: {name} ({effect})</translation>
    </message>
    <message>
      <source>Site {code}: {status}</source>
      <translation>Site {code}: {status}</translation>
    </message>
    <message>
      <source>Scenario name:</source>
      <translation>Scenario name:</translation>
    </message>
    <message>
      <source>A scenario named “{name}” already exists.</source>
      <translation>A scenario named “{name}” already exists.</translation>
    </message>
    <message>
      <source>New scenario</source>
      <translation>New scenario</translation>
    </message>
    <message>
      <source>Flood</source>
      <translation>Flood</translation>
    </message>
    <message>
      <source>New scenario {name}</source>
      <translation>New scenario {name}</translation>
    </message>
    <message>
      <source>Copy scenario</source>
      <translation>Copy scenario</translation>
    </message>
    <message>
      <source>Baseline</source>
      <translation>Baseline</translation>
    </message>
    <message>
      <source>copy</source>
      <translation>copy</translation>
    </message>
    <message>
      <source>Copy scenario to {name}</source>
      <translation>Copy scenario to {name}</translation>
    </message>
    <message>
      <source>Rename scenario</source>
      <translation>Rename scenario</translation>
    </message>
    <message>
      <source>Rename scenario to {name}</source>
      <translation>Rename scenario to {name}</translation>
    </message>
    <message>
      <source>Delete scenario</source>
      <translation>Delete scenario</translation>
    </message>
    <message>
      <source>Delete the scenario “{name}” with its hazard zones?</source>
      <translation>Delete the scenario “{name}” with its hazard zones?</translation>
    </message>
    <message>
      <source>Delete scenario {name}</source>
      <translation>Delete scenario {name}</translation>
    </message>
    <message>
      <source>Flood zone {n}</source>
      <translation>Flood zone {n}</translation>
    </message>
    <message>
      <source>Draw hazard zone {name}</source>
      <translation>Draw hazard zone {name}</translation>
    </message>
    <message>
      <source>Close site {code} in the scenario</source>
      <translation>Close site {code} in the scenario</translation>
    </message>
    <message>
      <source>Remove hazard zone</source>
      <translation>Remove hazard zone</translation>
    </message>
    <message>
      <source>Reopen site in the scenario</source>
      <translation>Reopen site in the scenario</translation>
    </message>
    <message>
      <source>Change scenario parameters</source>
      <translation>Change scenario parameters</translation>
    </message>
    <message>
      <source>Applied to “{scenario}”: {text}</source>
      <translation>Applied to “{scenario}”: {text}</translation>
    </message>
  </context>
  <context>
    <name>SitesPanel</name>
    <message>
      <source>Search sites…</source>
      <translation>Search sites…</translation>
    </message>
    <message>
      <source>All kinds</source>
      <translation>All kinds</translation>
    </message>
    <message>
      <source>All statuses</source>
      <translation>All statuses</translation>
    </message>
    <message>
      <source>All towns</source>
      <translation>All towns</translation>
    </message>
  </context>
  <context>
    <name>StockPanel</name>
    <message>
      <source>Stock of {code} {name}</source>
      <translation>Stock of {code} {name}</translation>
    </message>
    <message>
      <source>Stock of all sites</source>
      <translation>Stock of all sites</translation>
    </message>
    <message>
      <source>All sites</source>
      <translation>All sites</translation>
    </message>
    <message>
      <source>Add lot…</source>
      <translation>Add lot…</translation>
    </message>
    <message>
      <source>Delete lot</source>
      <translation>Delete lot</translation>
    </message>
  </context>
  <context>
    <name>SummaryPage</name>
    <message>
      <source>Create the plan</source>
      <translation>Create the plan</translation>
    </message>
    <message>
      <source>Check what will be done, then press Create. Nothing is written before.</source>
      <translation>Check what will be done, then press Create. Nothing is written before.</translation>
    </message>
    <message>
      <source>If a step fails, keep the partly made plan file (normally it is deleted)</source>
      <translation>If a step fails, keep the partly made plan file (normally it is deleted)</translation>
    </message>
    <message>
      <source>Plan file: {path}</source>
      <translation>Plan file: {path}</translation>
    </message>
    <message>
      <source>Plan name: {name}; district {district} ({code})</source>
      <translation>Plan name: {name}; district {district} ({code})</translation>
    </message>
    <message>
      <source>Boundary: {file}</source>
      <translation>Boundary: {file}</translation>
    </message>
    <message>
      <source>Boundary: none</source>
      <translation>Boundary: none</translation>
    </message>
    <message>
      <source>Roads: {file}, clipped with a {m:,} m buffer</source>
      <translation>Roads: {file}, clipped with a {m:,} m buffer</translation>
    </message>
    <message>
      <source>Roads: {file}, not clipped</source>
      <translation>Roads: {file}, not clipped</translation>
    </message>
    <message>
      <source>Roads: none</source>
      <translation>Roads: none</translation>
    </message>
    <message>
      <source>{kind}: {file} ({n} columns, coordinates {crs})</source>
      <translation>{kind}: {file} ({n} columns, coordinates {crs})</translation>
    </message>
    <message>
      <source>Registry tables: none</source>
      <translation>Registry tables: none</translation>
    </message>
    <message>
      <source>Then the plan opens and the checks run; the Data completeness panel lists what is still missing.</source>
      <translation>Then the plan opens and the checks run; the Data completeness panel lists what is still missing.</translation>
    </message>
  </context>
  <context>
    <name>TableFileChooser</name>
    <message>
      <source>CSV or XLSX file (optional)</source>
      <translation>CSV or XLSX file (optional)</translation>
    </message>
    <message>
      <source>Browse…</source>
      <translation>Browse…</translation>
    </message>
    <message>
      <source>Columns…</source>
      <translation>Columns…</translation>
    </message>
    <message>
      <source>Choose a file</source>
      <translation>Choose a file</translation>
    </message>
    <message>
      <source>Tables (*.csv *.xlsx *.geojson *.json)</source>
      <translation>Tables (*.csv *.xlsx *.geojson *.json)</translation>
    </message>
    <message>
      <source>All files (*)</source>
      <translation>All files (*)</translation>
    </message>
    <message>
      <source>Check the columns (Columns…): {fields} need your choice or confirmation.</source>
      <translation>Check the columns (Columns…): {fields} need your choice or confirmation.</translation>
    </message>
    <message>
      <source>{n} columns matched: {pairs}.</source>
      <translation>{n} columns matched: {pairs}.</translation>
    </message>
    <message>
      <source>Not imported: {cols}.</source>
      <translation>Not imported: {cols}.</translation>
    </message>
  </context>
  <context>
    <name>TablesPage</name>
    <message>
      <source>Registry tables</source>
      <translation>Registry tables</translation>
    </message>
    <message>
      <source>Towns, villages, sites, the supply catalogue and stock, each optional (CSV or XLSX, any columns: you match them to the template).</source>
      <translation>Towns, villages, sites, the supply catalogue and stock, each optional (CSV or XLSX, any columns: you match them to the template).</translation>
    </message>
    <message>
      <source>Towns</source>
      <translation>Towns</translation>
    </message>
    <message>
      <source>Villages / communities</source>
      <translation>Villages / communities</translation>
    </message>
    <message>
      <source>Sites: warehouses, points, shelters</source>
      <translation>Sites: warehouses, points, shelters</translation>
    </message>
    <message>
      <source>Supply catalogue</source>
      <translation>Supply catalogue</translation>
    </message>
    <message>
      <source>Stock lots</source>
      <translation>Stock lots</translation>
    </message>
    <message>
      <source>Coordinates</source>
      <translation>Coordinates</translation>
    </message>
    <message>
      <source>WGS-84 / CGCS2000 (GPS)</source>
      <translation>WGS-84 / CGCS2000 (GPS)</translation>
    </message>
    <message>
      <source>GCJ-02 (AMap, Tencent)</source>
      <translation>GCJ-02 (AMap, Tencent)</translation>
    </message>
    <message>
      <source>BD-09 (Baidu)</source>
      <translation>BD-09 (Baidu)</translation>
    </message>
    <message>
      <source>Match the columns of {files} first (Columns…).</source>
      <translation>Match the columns of {files} first (Columns…).</translation>
    </message>
  </context>
  <context>
    <name>Validation</name>
    <message>
      <source>{field} is required.</source>
      <translation>{field} is required.</translation>
    </message>
    <message>
      <source>{field}: “{value}” is not a number.</source>
      <translation>{field}: “{value}” is not a number.</translation>
    </message>
    <message>
      <source>{field} cannot be less than {min:g} (got {value:g}).</source>
      <translation>{field} cannot be less than {min:g} (got {value:g}).</translation>
    </message>
    <message>
      <source>{field} cannot be more than {max:g} (got {value:g}).</source>
      <translation>{field} cannot be more than {max:g} (got {value:g}).</translation>
    </message>
    <message>
      <source>{field} must be a whole number (got {value:g}).</source>
      <translation>{field} must be a whole number (got {value:g}).</translation>
    </message>
    <message>
      <source>{field}: “{value}” is not a date (use YYYY-MM-DD).</source>
      <translation>{field}: “{value}” is not a date (use YYYY-MM-DD).</translation>
    </message>
    <message>
      <source>{field}: “{value}” is not one of {choices}.</source>
      <translation>{field}: “{value}” is not one of {choices}.</translation>
    </message>
    <message>
      <source>Agreement stock needs a lead time: enter the lead time first.</source>
      <translation>Agreement stock needs a lead time: enter the lead time first.</translation>
    </message>
    <message>
      <source>Vulnerable people cannot exceed the population ({p:,}).</source>
      <translation>Vulnerable people cannot exceed the population ({p:,}).</translation>
    </message>
  </context>
</TS>