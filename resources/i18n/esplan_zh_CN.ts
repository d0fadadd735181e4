<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="zh_CN">
  <context>
    <name>Analysis</name>
    <message>
      <source>Running the checks ({scenario})…</source>
      <translation>正在运行检查（{scenario}）…</translation>
    </message>
    <message>
      <source>baseline</source>
      <translation>基准</translation>
    </message>
    <message>
      <source>Comparing {n} scenarios…</source>
      <translation>正在对比 {n} 个情景…</translation>
    </message>
    <message>
      <source>Looking for shelter sites to close the gap…</source>
      <translation>正在寻找可弥补缺口的避难场所选址…</translation>
    </message>
  </context>
  <context>
    <name>BarChart</name>
    <message>
      <source>Run the plan to see this chart.</source>
      <translation>运行规划检查后显示此图表。</translation>
    </message>
  </context>
  <context>
    <name>BoundaryPage</name>
    <message>
      <source>District boundary</source>
      <translation>区界</translation>
    </message>
    <message>
      <source>A GeoJSON file of the district's outline (WGS-84 or CGCS2000). Optional, but recommended: roads are clipped to it and sites outside it are found.</source>
      <translation>本区轮廓的 GeoJSON 文件（WGS-84 或 CGCS2000）。可选，但建议提供：路网按区界裁剪，区外的场所会被查出。</translation>
    </message>
    <message>
      <source>GeoJSON file (optional)</source>
      <translation>GeoJSON 文件（可选）</translation>
    </message>
    <message>
      <source>Browse…</source>
      <translation>浏览…</translation>
    </message>
    <message>
      <source>Choose a file</source>
      <translation>选择文件</translation>
    </message>
    <message>
      <source>No boundary: the road network will not be clipped and no site is checked against the district. You can import it later (File ▸ Import…).</source>
      <translation>无区界：路网不裁剪，也不检查场所是否在区内。可稍后导入（文件 ▸ 导入…）。</translation>
    </message>
    <message>
      <source>{name}: {area} km², from {w:.3f}° to {e:.3f}° E and {s:.3f}° to {n:.3f}° N.</source>
      <translation>{name}：{area} 平方公里，东经 {w:.3f}°–{e:.3f}°，北纬 {s:.3f}°–{n:.3f}°。</translation>
    </message>
  </context>
  <context>
    <name>ChecksModel</name>
    <message>
      <source>Result</source>
      <translation>结果</translation>
    </message>
    <message>
      <source>Check</source>
      <translation>检查项</translation>
    </message>
    <message>
      <source>Value</source>
      <translation>数值</translation>
    </message>
    <message>
      <source>Target</source>
      <translation>目标</translation>
    </message>
    <message>
      <source>Numerator / denominator</source>
      <translation>分子 / 分母</translation>
    </message>
    <message>
      <source>pass</source>
      <translation>达标</translation>
    </message>
    <message>
      <source>fail</source>
      <translation>未达标</translation>
    </message>
    <message>
      <source>no data</source>
      <translation>无法评估</translation>
    </message>
    <message>
      <source>Target from: {0}</source>
      <translation>目标来源：{0}</translation>
    </message>
  </context>
  <context>
    <name>ColumnMappingDialog</name>
    <message>
      <source>Columns of {file}</source>
      <translation>{file} 的列对应</translation>
    </message>
    <message>
      <source>Choose, for each field of the template, the column of your file that holds it. Fields marked * are required. Check the guesses marked in colour.</source>
      <translation>为模板的每个字段选择文件中对应的列。带 * 的字段必填。请核对以颜色标出的推测。</translation>
    </message>
    <message>
      <source>Template field</source>
      <translation>模板字段</translation>
    </message>
    <message>
      <source>Column in the file</source>
      <translation>文件中的列</translation>
    </message>
    <message>
      <source>How it was found</source>
      <translation>对应依据</translation>
    </message>
    <message>
      <source>— choose a column —</source>
      <translation>— 请选择一列 —</translation>
    </message>
    <message>
      <source>— not imported —</source>
      <translation>— 不导入 —</translation>
    </message>
    <message>
      <source>The first rows of the file:</source>
      <translation>文件的前几行：</translation>
    </message>
    <message>
      <source>several columns: choose one</source>
      <translation>多列可选，请选择一列</translation>
    </message>
    <message>
      <source>your choice</source>
      <translation>您的选择</translation>
    </message>
    <message>
      <source>same name</source>
      <translation>名称相同</translation>
    </message>
    <message>
      <source>a known name</source>
      <translation>已知名称</translation>
    </message>
    <message>
      <source>similar name: check</source>
      <translation>名称相近，请核对</translation>
    </message>
    <message>
      <source>not found: choose a column</source>
      <translation>未找到，请选择一列</translation>
    </message>
    <message>
      <source>not in the file</source>
      <translation>文件中没有</translation>
    </message>
  </context>
  <context>
    <name>Columns</name>
    <message>
      <source>Tier</source>
      <translation>级别</translation>
    </message>
    <message>
      <source>Storage m²</source>
      <translation>储存面积 m²</translation>
    </message>
    <message>
      <source>Item</source>
      <translation>物资</translation>
    </message>
    <message>
      <source>Site</source>
      <translation>站点</translation>
    </message>
    <message>
      <source>yes</source>
      <translation>是</translation>
    </message>
    <message>
      <source>no</source>
      <translation>否</translation>
    </message>
    <message>
      <source>Code</source>
      <translation>编码</translation>
    </message>
    <message>
      <source>Name</source>
      <translation>名称</translation>
    </message>
    <message>
      <source>Kind</source>
      <translation>类型</translation>
    </message>
    <message>
      <source>Status</source>
      <translation>状态</translation>
    </message>
    <message>
      <source>Class / tier</source>
      <translation>类别/级别</translation>
    </message>
    <message>
      <source>Capacity</source>
      <translation>容量</translation>
    </message>
    <message>
      <source>Indoor m²</source>
      <translation>室内面积 m²</translation>
    </message>
    <message>
      <source>Outdoor m²</source>
      <translation>室外面积 m²</translation>
    </message>
    <message>
      <source>Stated capacity</source>
      <translation>设计容纳人数</translation>
    </message>
    <message>
      <source>Town</source>
      <translation>镇级</translation>
    </message>
    <message>
      <source>Address</source>
      <translation>地址</translation>
    </message>
    <message>
      <source>Contact</source>
      <translation>联系人</translation>
    </message>
    <message>
      <source>Phone</source>
      <translation>电话</translation>
    </message>
    <message>
      <source>Located</source>
      <translation>已定位</translation>
    </message>
    <message>
      <source>not yet located</source>
      <translation>尚未定位</translation>
    </message>
    <message>
      <source>{status} → closed in “{scenario}”</source>
      <translation>{status} → 在“{scenario}”中停用</translation>
    </message>
    <message>
      <source>Utilisation in the last run: {u:.0%}</source>
      <translation>上次运行的使用率：{u:.0%}</translation>
    </message>
    <message>
      <source>Quantity</source>
      <translation>数量</translation>
    </message>
    <message>
      <source>Unit</source>
      <translation>单位</translation>
    </message>
    <message>
      <source>Mode</source>
      <translation>方式</translation>
    </message>
    <message>
      <source>Batch</source>
      <translation>批次</translation>
    </message>
    <message>
      <source>Expiry</source>
      <translation>有效期至</translation>
    </message>
    <message>
      <source>Lead time h</source>
      <translation>供货时间（小时）</translation>
    </message>
    <message>
      <source>Supplier</source>
      <translation>供应商</translation>
    </message>
    <message>
      <source>Usable (last run)</source>
      <translation>可用（上次运行）</translation>
    </message>
    <message>
      <source>no: too far</source>
      <translation>否：距离过远</translation>
    </message>
    <message>
      <source>no: expired</source>
      <translation>否：已过期</translation>
    </message>
    <message>
      <source>no: lead time too long</source>
      <translation>否：协议供货时间过长</translation>
    </message>
    <message>
      <source>no: site closed</source>
      <translation>否：站点已停用</translation>
    </message>
    <message>
      <source>no: site not located</source>
      <translation>否：站点未定位</translation>
    </message>
    <message>
      <source>Population</source>
      <translation>人口</translation>
    </message>
    <message>
      <source>Vulnerable</source>
      <translation>脆弱人群</translation>
    </message>
    <message>
      <source>Longitude</source>
      <translation>经度</translation>
    </message>
    <message>
      <source>Latitude</source>
      <translation>纬度</translation>
    </message>
    <message>
      <source>Outcome (last run)</source>
      <translation>结果（上次运行）</translation>
    </message>
    <message>
      <source>Nearest shelter min</source>
      <translation>最近避难场所（分钟）</translation>
    </message>
    <message>
      <source>Nearest shelter</source>
      <translation>最近避难场所</translation>
    </message>
    <message>
      <source>Sheltered at (last run)</source>
      <translation>安置去向（上次运行）</translation>
    </message>
    <message>
      <source>Flags</source>
      <translation>标记</translation>
    </message>
    <message>
      <source>Name (Chinese)</source>
      <translation>中文名称</translation>
    </message>
    <message>
      <source>Name (English)</source>
      <translation>英文名称</translation>
    </message>
    <message>
      <source>Category</source>
      <translation>类别</translation>
    </message>
    <message>
      <source>Shelf life days</source>
      <translation>保质期（天）</translation>
    </message>
    <message>
      <source>Unit price ¥</source>
      <translation>单价（元）</translation>
    </message>
    <message>
      <source>Unit volume m³</source>
      <translation>单位体积 m³</translation>
    </message>
    <message>
      <source>Unit weight kg</source>
      <translation>单位重量 kg</translation>
    </message>
    <message>
      <source>Norm key</source>
      <translation>标准键</translation>
    </message>
  </context>
  <context>
    <name>CompareDialog</name>
    <message>
      <source>Compare scenarios</source>
      <translation>情景对比</translation>
    </message>
    <message>
      <source>Checks and changes</source>
      <translation>检查与变化</translation>
    </message>
    <message>
      <source>People served</source>
      <translation>可安置人数</translation>
    </message>
    <message>
      <source>People unreachable</source>
      <translation>不可达人数</translation>
    </message>
    <message>
      <source>People isolated</source>
      <translation>失联人数</translation>
    </message>
    <message>
      <source>Supply shortfall ¥</source>
      <translation>物资缺口（元）</translation>
    </message>
    <message>
      <source>Check</source>
      <translation>检查项</translation>
    </message>
    <message>
      <source>Target</source>
      <translation>目标</translation>
    </message>
    <message>
      <source>newly without a shelter in reach</source>
      <translation>新增时限内无可达避难场所</translation>
    </message>
    <message>
      <source>newly isolated</source>
      <translation>新增被隔断</translation>
    </message>
    <message>
      <source>{scenario}: {n} villages / communities {what}</source>
      <translation>{scenario}：{n} 个村/社区{what}</translation>
    </message>
    <message>
      <source> … and {n} more</source>
      <translation> … 另有 {n} 个</translation>
    </message>
    <message>
      <source>{scenario}: {n} shelters full</source>
      <translation>{scenario}：{n} 个避难场所满员</translation>
    </message>
    <message>
      <source>Map: {scenario} beside {reference}</source>
      <translation>地图：{scenario} 与 {reference} 对照</translation>
    </message>
    <message>
      <source>The maps could not be drawn; the log file says why.</source>
      <translation>地图未能绘制，原因见日志文件。</translation>
    </message>
    <message>
      <source>Maps</source>
      <translation>地图</translation>
    </message>
    <message>
      <source>{d:+.1f} pp</source>
      <translation>{d:+.1f} 个百分点</translation>
    </message>
    <message>
      <source>baseline</source>
      <translation>基准</translation>
    </message>
  </context>
  <context>
    <name>CompletenessPanel</name>
    <message>
      <source>No road network</source>
      <translation>无路网</translation>
    </message>
    <message>
      <source>Import an OpenStreetMap extract of the district (File ▸ Import…, road network).</source>
      <translation>导入本区的 OpenStreetMap 数据（文件 ▸ 导入…，路网）。</translation>
    </message>
    <message>
      <source>{n} villages / communities without coordinates</source>
      <translation>{n} 个村（社区）无坐标</translation>
    </message>
    <message>
      <source>Select one in the Population table, press Place / move (M) and click the map where it lies; or enter the longitude and latitude, or import the demand units again with coordinates.</source>
      <translation>在“人口”表中选中一个，按“放置/移动”（M）后在地图上点击其所在位置；或填写经纬度，或重新导入带坐标的需求单元。</translation>
    </message>
    <message>
      <source>{n} villages / communities without population</source>
      <translation>{n} 个村（社区）无人口数据</translation>
    </message>
    <message>
      <source>Enter the population in the Population table, or import it.</source>
      <translation>在“人口”表中填写人口，或导入人口数据。</translation>
    </message>
    <message>
      <source>{n} shelters without coordinates</source>
      <translation>{n} 个避难场所无坐标</translation>
    </message>
    <message>
      <source>Select the shelter and place it on the map (M), or enter its longitude and latitude in the Sites table.</source>
      <translation>选中该避难场所后在地图上放置（M），或在“站点”表中填写经纬度。</translation>
    </message>
    <message>
      <source>{n} shelters without area or capacity</source>
      <translation>{n} 个避难场所无面积或容量</translation>
    </message>
    <message>
      <source>Enter the area or the stated capacity in the Sites table.</source>
      <translation>在“站点”表中填写面积或核定容量。</translation>
    </message>
    <message>
      <source>{n} fixed shelters without area data</source>
      <translation>{n} 个固定避难场所无面积数据</translation>
    </message>
    <message>
      <source>Enter the indoor and outdoor areas in the Sites table.</source>
      <translation>在“站点”表中填写室内、室外面积。</translation>
    </message>
    <message>
      <source>{n} shelters without a class (not counted as fixed)</source>
      <translation>{n} 个避难场所未填类别（未计入固定避难场所）</translation>
    </message>
    <message>
      <source>Choose the class of each shelter in the Sites table.</source>
      <translation>在“站点”表中填写每个避难场所的类别。</translation>
    </message>
    <message>
      <source>{n} supply items without a price</source>
      <translation>{n} 种物资无单价</translation>
    </message>
    <message>
      <source>Enter unit prices in the Supply catalogue (for the cost of the shortfall; no check needs them).</source>
      <translation>在“物资品类”中填写单价（用于估算缺口费用，检查项不需要）。</translation>
    </message>
    <message>
      <source>72-hour supply ({n} items)</source>
      <translation>72小时物资（{n} 类）</translation>
    </message>
    <message>
      <source>Run the checks (F5) to see which data they lack.</source>
      <translation>运行检查（F5）后，此处列出各检查项缺少的数据。</translation>
    </message>
    <message>
      <source>The checks have all the data they need.</source>
      <translation>各检查项所需数据均已齐全。</translation>
    </message>
    <message>
      <source>{k} kinds of data are missing: {u} checks cannot be assessed and {i} more are incomplete until they are there.</source>
      <translation>缺少 {k} 类数据：补齐之前，{u} 项检查无法评估，另有 {i} 项检查数据不完整。</translation>
    </message>
    <message>
      <source>Needed by:</source>
      <translation>所需检查项：</translation>
    </message>
    <message>
      <source>What to do:</source>
      <translation>处理办法：</translation>
    </message>
    <message>
      <source>no check</source>
      <translation>无检查项</translation>
    </message>
  </context>
  <context>
    <name>DemandPanel</name>
    <message>
      <source>Search villages / communities…</source>
      <translation>搜索村/社区…</translation>
    </message>
    <message>
      <source>All outcomes</source>
      <translation>全部结果</translation>
    </message>
  </context>
  <context>
    <name>Dialogs</name>
    <message>
      <source>Edit conflict</source>
      <translation>编辑冲突</translation>
    </message>
    <message>
      <source>Another planner deleted this row ({entity} #{id}) since you opened it. Your change was not saved.</source>
      <translation>在您打开之后，另一位规划人员删除了这条记录（{entity} #{id}）。您的修改未保存。</translation>
    </message>
    <message>
      <source>Another planner changed this row ({entity} #{id}) since you read it. Your change was not saved; the table now shows their values.</source>
      <translation>在您读取之后，另一位规划人员修改了这条记录（{entity} #{id}）。您的修改未保存，表格现在显示对方保存的值。</translation>
    </message>
    <message>
      <source>Field</source>
      <translation>字段</translation>
    </message>
    <message>
      <source>Your value</source>
      <translation>您的值</translation>
    </message>
    <message>
      <source>Their value (saved)</source>
      <translation>对方的值（已保存）</translation>
    </message>
    <message>
      <source>Open a shared plan</source>
      <translation>打开共享规划</translation>
    </message>
    <message>
      <source>PostgreSQL address of the shared plan, e.g.
postgresql+psycopg://planner@server/district_plan</source>
      <translation>共享规划的 PostgreSQL 地址，例如：
postgresql+psycopg://planner@server/district_plan</translation>
    </message>
    <message>
      <source>That is not a database address.</source>
      <translation>这不是数据库地址。</translation>
    </message>
  </context>
  <context>
    <name>Editor</name>
    <message>
      <source>Edit {entity} #{pk}</source>
      <translation>编辑 {entity} #{pk}</translation>
    </message>
    <message>
      <source>Add {entity}</source>
      <translation>新增 {entity}</translation>
    </message>
    <message>
      <source>Delete {entity} #{pk}</source>
      <translation>删除 {entity} #{pk}</translation>
    </message>
    <message>
      <source>The plan refused the change: {msg}</source>
      <translation>规划数据拒绝了此修改：{msg}</translation>
    </message>
  </context>
  <context>
    <name>Enums</name>
    <message>
      <source>Warehouse</source>
      <translation>储备仓库</translation>
    </message>
    <message>
      <source>Reserve point</source>
      <translation>前置储备点</translation>
    </message>
    <message>
      <source>Shelter</source>
      <translation>避难场所</translation>
    </message>
    <message>
      <source>Built</source>
      <translation>已建</translation>
    </message>
    <message>
      <source>Planned</source>
      <translation>规划</translation>
    </message>
    <message>
      <source>Closed</source>
      <translation>停用</translation>
    </message>
    <message>
      <source>District</source>
      <translation>区级</translation>
    </message>
    <message>
      <source>Town</source>
      <translation>镇级</translation>
    </message>
    <message>
      <source>Village</source>
      <translation>村级</translation>
    </message>
    <message>
      <source>Emergency</source>
      <translation>紧急避难场所</translation>
    </message>
    <message>
      <source>Short-term</source>
      <translation>短期固定</translation>
    </message>
    <message>
      <source>Medium-term</source>
      <translation>中期固定</translation>
    </message>
    <message>
      <source>Long-term</source>
      <translation>长期固定</translation>
    </message>
    <message>
      <source>Physical</source>
      <translation>实物储备</translation>
    </message>
    <message>
      <source>Agreement</source>
      <translation>协议储备</translation>
    </message>
    <message>
      <source>Living</source>
      <translation>生活类</translation>
    </message>
    <message>
      <source>Rescue</source>
      <translation>救援类</translation>
    </message>
    <message>
      <source>Served</source>
      <translation>可安置</translation>
    </message>
    <message>
      <source>Over capacity</source>
      <translation>容量不足</translation>
    </message>
    <message>
      <source>Unreachable</source>
      <translation>不可达</translation>
    </message>
    <message>
      <source>Not located</source>
      <translation>未定位</translation>
    </message>
    <message>
      <source>Off network</source>
      <translation>远离路网</translation>
    </message>
    <message>
      <source>Block roads</source>
      <translation>阻断道路</translation>
    </message>
    <message>
      <source>Slow roads</source>
      <translation>道路减速</translation>
    </message>
  </context>
  <context>
    <name>Forms</name>
    <message>
      <source>Add site</source>
      <translation>新增站点</translation>
    </message>
    <message>
      <source>Edit site {code}</source>
      <translation>编辑站点 {code}</translation>
    </message>
    <message>
      <source>Add stock lot</source>
      <translation>新增库存批次</translation>
    </message>
    <message>
      <source>Agreement stock needs a lead time.</source>
      <translation>协议储备必须填写供货时间。</translation>
    </message>
    <message>
      <source>Add demand unit</source>
      <translation>新增人口单元</translation>
    </message>
    <message>
      <source>Add supply item</source>
      <translation>新增物资品类</translation>
    </message>
  </context>
  <context>
    <name>IdentifyPanel</name>
    <message>
      <source>Click a site or a village on the map (or a row in a table) to see all it holds here; double-click a value to change it.</source>
      <translation>在地图上点击站点或村（社区）（或在表格中选一行），此处列出其全部属性；双击数值即可修改。</translation>
    </message>
    <message>
      <source>Site</source>
      <translation>站点</translation>
    </message>
    <message>
      <source>Demand unit</source>
      <translation>需求单元（村/社区）</translation>
    </message>
  </context>
  <context>
    <name>ImportDialog</name>
    <message>
      <source>Import into the plan</source>
      <translation>导入到规划</translation>
    </message>
    <message>
      <source>Road network (OpenStreetMap .osm/.pbf)</source>
      <translation>路网（OpenStreetMap .osm/.pbf）</translation>
    </message>
    <message>
      <source>Road network (GeoJSON)</source>
      <translation>路网（GeoJSON）</translation>
    </message>
    <message>
      <source>District boundary (GeoJSON)</source>
      <translation>行政区边界（GeoJSON）</translation>
    </message>
    <message>
      <source>Sites: warehouses, points, shelters</source>
      <translation>站点：仓库、储备点、避难场所</translation>
    </message>
    <message>
      <source>Supply catalogue</source>
      <translation>物资品类</translation>
    </message>
    <message>
      <source>Stock lots</source>
      <translation>库存批次</translation>
    </message>
    <message>
      <source>Demand units (villages)</source>
      <translation>人口单元（村/社区）</translation>
    </message>
    <message>
      <source>Towns</source>
      <translation>乡镇</translation>
    </message>
    <message>
      <source>What</source>
      <translation>内容</translation>
    </message>
    <message>
      <source>Browse…</source>
      <translation>浏览…</translation>
    </message>
    <message>
      <source>File</source>
      <translation>文件</translation>
    </message>
    <message>
      <source>Field</source>
      <translation>字段</translation>
    </message>
    <message>
      <source>Problem</source>
      <translation>问题</translation>
    </message>
    <message>
      <source>Value</source>
      <translation>数值</translation>
    </message>
    <message>
      <source>Add new rows (refuse existing codes)</source>
      <translation>仅新增（编码已存在则拒绝）</translation>
    </message>
    <message>
      <source>Add or update by code</source>
      <translation>按编码新增或更新</translation>
    </message>
    <message>
      <source>Replace the stock of the sites in the file (stock only)</source>
      <translation>替换文件中各场所的库存（仅库存）</translation>
    </message>
    <message>
      <source>Mode</source>
      <translation>方式</translation>
    </message>
    <message>
      <source>Replace an existing boundary, or the road network by a much smaller one</source>
      <translation>替换已有边界，或以小得多的路网替换现有路网</translation>
    </message>
    <message>
      <source>WGS84 / CGCS2000 (GPS)</source>
      <translation>WGS84 / CGCS2000（GPS）</translation>
    </message>
    <message>
      <source>GCJ-02 (AMap, Tencent)</source>
      <translation>GCJ-02（高德、腾讯）</translation>
    </message>
    <message>
      <source>BD-09 (Baidu)</source>
      <translation>BD-09（百度）</translation>
    </message>
    <message>
      <source>Coordinates</source>
      <translation>坐标系</translation>
    </message>
    <message>
      <source>Columns</source>
      <translation>列对应</translation>
    </message>
    <message>
      <source>Import</source>
      <translation>导入</translation>
    </message>
    <message>
      <source>OpenStreetMap (*.osm *.pbf *.osm.pbf *.bz2)</source>
      <translation>OpenStreetMap 文件 (*.osm *.pbf *.osm.pbf *.bz2)</translation>
    </message>
    <message>
      <source>Tables (*.csv *.xlsx *.geojson *.json)</source>
      <translation>表格 (*.csv *.xlsx *.geojson *.json)</translation>
    </message>
    <message>
      <source>Choose a file</source>
      <translation>选择文件</translation>
    </message>
    <message>
      <source>All files (*)</source>
      <translation>所有文件 (*)</translation>
    </message>
    <message>
      <source>Choose a file to see its first rows.</source>
      <translation>选择文件后可预览前几行。</translation>
    </message>
    <message>
      <source>{name}: {size:,.0f} kB. No row preview for map data; the import checks everything before writing.</source>
      <translation>{name}：{size:,.0f} kB。地图数据不提供逐行预览；导入前会全部校验。</translation>
    </message>
    <message>
      <source>Cannot read the file: {err}</source>
      <translation>无法读取文件：{err}</translation>
    </message>
    <message>
      <source>Row</source>
      <translation>行</translation>
    </message>
    <message>
      <source>Preview: the first {shown} of {n} rows. Nothing is written until you press Import; if any row is bad nothing is written at all.</source>
      <translation>预览：共 {n} 行，显示前 {shown} 行。按“导入”前不会写入；只要有一行有误，就不会写入任何数据。</translation>
    </message>
    <message>
      <source>Import refused, nothing was written: {n} problem(s). Fix them in the file and import again.</source>
      <translation>导入被拒绝，未写入任何数据：共 {n} 个问题。请在文件中修正后重新导入。</translation>
    </message>
    <message>
      <source>Match the file's columns to the template first (Columns…).</source>
      <translation>请先将文件的列与模板对应（列对应…）。</translation>
    </message>
    <message>
      <source>Imported.</source>
      <translation>导入完成。</translation>
    </message>
    <message>
      <source>Import failed, nothing was written: {err}</source>
      <translation>导入失败，未写入任何数据：{err}</translation>
    </message>
  </context>
  <context>
    <name>LayerPanel</name>
    <message>
      <source>Online map tiles</source>
      <translation>在线瓦片底图</translation>
    </message>
    <message>
      <source>Basemap: built-up areas</source>
      <translation>底图：建成区</translation>
    </message>
    <message>
      <source>Basemap: water</source>
      <translation>底图：水域</translation>
    </message>
    <message>
      <source>Basemap: rivers and streams</source>
      <translation>底图：河流与溪流</translation>
    </message>
    <message>
      <source>Basemap: buildings (when zoomed in)</source>
      <translation>底图：建筑（放大后显示）</translation>
    </message>
    <message>
      <source>Boundaries</source>
      <translation>行政边界</translation>
    </message>
    <message>
      <source>Shelter service areas</source>
      <translation>避难场所服务范围</translation>
    </message>
    <message>
      <source>Roads: tracks and paths</source>
      <translation>道路：小路与步道</translation>
    </message>
    <message>
      <source>Roads: local</source>
      <translation>道路：支路</translation>
    </message>
    <message>
      <source>Roads: secondary and tertiary</source>
      <translation>道路：次干道</translation>
    </message>
    <message>
      <source>Roads: major</source>
      <translation>道路：主干道</translation>
    </message>
    <message>
      <source>Hazard zones</source>
      <translation>灾害区</translation>
    </message>
    <message>
      <source>Villages / communities (demand)</source>
      <translation>村/社区（需求）</translation>
    </message>
    <message>
      <source>Cut off by road (last run)</source>
      <translation>道路不通（最近一次运行）</translation>
    </message>
    <message>
      <source>Shelters</source>
      <translation>避难场所</translation>
    </message>
    <message>
      <source>Reserve points</source>
      <translation>前置储备点</translation>
    </message>
    <message>
      <source>Warehouses</source>
      <translation>储备仓库</translation>
    </message>
    <message>
      <source>Labels</source>
      <translation>标注</translation>
    </message>
    <message>
      <source>Top of the list is drawn on top. Drag a layer or use the arrows to move it.</source>
      <translation>列表上方的图层绘制在上层。拖动图层或用箭头调整顺序。</translation>
    </message>
    <message>
      <source>Draw the selected layer higher</source>
      <translation>将所选图层上移</translation>
    </message>
    <message>
      <source>Draw the selected layer lower</source>
      <translation>将所选图层下移</translation>
    </message>
    <message>
      <source>Source</source>
      <translation>来源</translation>
    </message>
    <message>
      <source>Tianditu key</source>
      <translation>天地图密钥</translation>
    </message>
    <message>
      <source>URL template</source>
      <translation>地址模板</translation>
    </message>
    <message>
      <source>OpenStreetMap (standard)</source>
      <translation>OpenStreetMap（标准）</translation>
    </message>
    <message>
      <source>Tianditu (天地图) vector map (vec_w)</source>
      <translation>天地图矢量底图（vec_w）</translation>
    </message>
    <message>
      <source>Custom URL</source>
      <translation>自定义地址</translation>
    </message>
    <message>
      <source>your Tianditu developer key (tk)</source>
      <translation>您的天地图开发者密钥（tk）</translation>
    </message>
    <message>
      <source>Tiles are fetched only while the layer is on and kept in a cache; offline, the cached tiles are drawn. The basemap from the OSM import needs no network.</source>
      <translation>仅在此图层打开时下载瓦片并缓存；离线时显示已缓存的瓦片。OSM 导入的底图无需联网。</translation>
    </message>
  </context>
  <context>
    <name>MainWindow</name>
    <message>
      <source>esplan — emergency supplies &amp; shelter planner</source>
      <translation>应急物资与避难场所规划</translation>
    </message>
    <message>
      <source>&amp;File</source>
      <translation>文件(&amp;F)</translation>
    </message>
    <message>
      <source>&amp;Edit</source>
      <translation>编辑(&amp;E)</translation>
    </message>
    <message>
      <source>&amp;View</source>
      <translation>视图(&amp;V)</translation>
    </message>
    <message>
      <source>&amp;Plan</source>
      <translation>规划(&amp;P)</translation>
    </message>
    <message>
      <source>&amp;Help</source>
      <translation>帮助(&amp;H)</translation>
    </message>
    <message>
      <source>Recent plans</source>
      <translation>最近打开</translation>
    </message>
    <message>
      <source>Export</source>
      <translation>导出</translation>
    </message>
    <message>
      <source>Find on the map…</source>
      <translation>在地图上查找…</translation>
    </message>
    <message>
      <source>A site or a village / community by code or name (Ctrl+F)</source>
      <translation>按编码或名称查找站点或村（社区）（Ctrl+F）</translation>
    </message>
    <message>
      <source>Panels</source>
      <translation>面板</translation>
    </message>
    <message>
      <source>Language</source>
      <translation>语言</translation>
    </message>
    <message>
      <source>&amp;New plan…</source>
      <translation>新建规划(&amp;N)…</translation>
    </message>
    <message>
      <source>&amp;Open plan…</source>
      <translation>打开规划(&amp;O)…</translation>
    </message>
    <message>
      <source>Open &amp;shared plan (PostgreSQL)…</source>
      <translation>打开共享规划（PostgreSQL）(&amp;S)…</translation>
    </message>
    <message>
      <source>Save plan &amp;as…</source>
      <translation>规划另存为(&amp;A)…</translation>
    </message>
    <message>
      <source>&amp;Import…</source>
      <translation>导入(&amp;I)…</translation>
    </message>
    <message>
      <source>&amp;Print plan (PDF)…</source>
      <translation>打印规划（PDF）(&amp;P)…</translation>
    </message>
    <message>
      <source>&amp;Quit</source>
      <translation>退出(&amp;Q)</translation>
    </message>
    <message>
      <source>&amp;Undo</source>
      <translation>撤销(&amp;U)</translation>
    </message>
    <message>
      <source>&amp;Redo</source>
      <translation>重做(&amp;R)</translation>
    </message>
    <message>
      <source>Add &amp;site…</source>
      <translation>新增站点(&amp;S)…</translation>
    </message>
    <message>
      <source>&amp;Edit selected site…</source>
      <translation>编辑所选站点(&amp;E)…</translation>
    </message>
    <message>
      <source>&amp;Delete selected site</source>
      <translation>删除所选站点(&amp;D)</translation>
    </message>
    <message>
      <source>Add stock &amp;lot…</source>
      <translation>新增库存批次(&amp;L)…</translation>
    </message>
    <message>
      <source>Add &amp;demand unit…</source>
      <translation>新增人口单元(&amp;D)…</translation>
    </message>
    <message>
      <source>Add supply &amp;item…</source>
      <translation>新增物资品类(&amp;I)…</translation>
    </message>
    <message>
      <source>&amp;Fit map</source>
      <translation>全图(&amp;F)</translation>
    </message>
    <message>
      <source>Zoom &amp;in</source>
      <translation>放大(&amp;I)</translation>
    </message>
    <message>
      <source>Zoom &amp;out</source>
      <translation>缩小(&amp;O)</translation>
    </message>
    <message>
      <source>Show &amp;labels</source>
      <translation>显示标注(&amp;L)</translation>
    </message>
    <message>
      <source>Show service &amp;areas</source>
      <translation>显示服务范围(&amp;A)</translation>
    </message>
    <message>
      <source>Show the l&amp;egend</source>
      <translation>显示图例(&amp;E)</translation>
    </message>
    <message>
      <source>&amp;Run</source>
      <translation>运行(&amp;R)</translation>
    </message>
    <message>
      <source>&amp;Cancel run</source>
      <translation>取消运行(&amp;C)</translation>
    </message>
    <message>
      <source>&amp;Compare scenarios…</source>
      <translation>情景对比(&amp;C)…</translation>
    </message>
    <message>
      <source>Plan &amp;figures…</source>
      <translation>规划数据(&amp;F)…</translation>
    </message>
    <message>
      <source>Printed plan &amp;particulars…</source>
      <translation>规划文本信息(&amp;P)…</translation>
    </message>
    <message>
      <source>&amp;Select / pan</source>
      <translation>选择/平移(&amp;S)</translation>
    </message>
    <message>
      <source>Draw &amp;hazard zone</source>
      <translation>绘制灾害区(&amp;H)</translation>
    </message>
    <message>
      <source>&amp;Measure distance / area</source>
      <translation>测量距离/面积(&amp;M)</translation>
    </message>
    <message>
      <source>Zoom to &amp;selection</source>
      <translation>缩放到所选(&amp;S)</translation>
    </message>
    <message>
      <source>&amp;About esplan</source>
      <translation>关于(&amp;A)</translation>
    </message>
    <message>
      <source>Open the &amp;log file</source>
      <translation>打开日志文件(&amp;L)</translation>
    </message>
    <message>
      <source>User &amp;manual</source>
      <translation>使用手册(&amp;M)</translation>
    </message>
    <message>
      <source>&amp;Save (automatic)</source>
      <translation>保存（自动）(&amp;S)</translation>
    </message>
    <message>
      <source>Identify (all attributes)</source>
      <translation>查看全部属性</translation>
    </message>
    <message>
      <source>Close in the current scenario</source>
      <translation>在当前情景中关闭</translation>
    </message>
    <message>
      <source>Map view (PNG or PDF)…</source>
      <translation>地图视图（PNG 或 PDF）…</translation>
    </message>
    <message>
      <source>Run the checks for the current scenario (F5)</source>
      <translation>对当前情景运行检查（F5）</translation>
    </message>
    <message>
      <source>Click the corners of a flood zone; double-click to finish (H)</source>
      <translation>依次点击洪水区的各个顶点，双击结束（H）</translation>
    </message>
    <message>
      <source>Measure a distance along a line, or the area it encloses (D)</source>
      <translation>沿折线测量距离，或测量其围成的面积（D）</translation>
    </message>
    <message>
      <source>Fit the map to the selected or highlighted sites and villages (Z)</source>
      <translation>将地图缩放到所选或高亮的站点和村（社区）（Z）</translation>
    </message>
    <message>
      <source>Sites…</source>
      <translation>站点…</translation>
    </message>
    <message>
      <source>Supply catalogue…</source>
      <translation>物资品类…</translation>
    </message>
    <message>
      <source>Stock lots…</source>
      <translation>库存批次…</translation>
    </message>
    <message>
      <source>Demand units…</source>
      <translation>人口单元…</translation>
    </message>
    <message>
      <source>Towns…</source>
      <translation>乡镇…</translation>
    </message>
    <message>
      <source>Boundaries (GeoJSON)…</source>
      <translation>边界（GeoJSON）…</translation>
    </message>
    <message>
      <source>Main toolbar</source>
      <translation>主工具栏</translation>
    </message>
    <message>
      <source>Sites</source>
      <translation>站点登记（仓库·储备点·避难场所）</translation>
    </message>
    <message>
      <source>Stock</source>
      <translation>库存</translation>
    </message>
    <message>
      <source>Population</source>
      <translation>人口</translation>
    </message>
    <message>
      <source>Supply catalogue</source>
      <translation>物资品类</translation>
    </message>
    <message>
      <source>Messages</source>
      <translation>消息</translation>
    </message>
    <message>
      <source>Results</source>
      <translation>检查结果</translation>
    </message>
    <message>
      <source>Scenarios</source>
      <translation>情景</translation>
    </message>
    <message>
      <source>Identify</source>
      <translation>属性查询</translation>
    </message>
    <message>
      <source>Data completeness</source>
      <translation>数据完整性</translation>
    </message>
    <message>
      <source>Map layers</source>
      <translation>地图图层</translation>
    </message>
    <message>
      <source>Village / community (no run yet)</source>
      <translation>村（社区）（尚未运行）</translation>
    </message>
    <message>
      <source>Village / community without population (not counted)</source>
      <translation>村（社区）无人口数据（未计入）</translation>
    </message>
    <message>
      <source>Hazard zone</source>
      <translation>灾害区</translation>
    </message>
    <message>
      <source>Planned (not built yet)</source>
      <translation>规划中（尚未建成）</translation>
    </message>
    <message>
      <source>Closed (in the plan or the scenario)</source>
      <translation>已关闭（规划中或本情景中）</translation>
    </message>
    <message>
      <source>Cut off by road (no supply source reaches it)</source>
      <translation>道路不通（无物资来源可达）</translation>
    </message>
    <message>
      <source>Shelter service area (walking)</source>
      <translation>避难场所服务范围（步行）</translation>
    </message>
    <message>
      <source>Cannot open plan</source>
      <translation>无法打开规划</translation>
    </message>
    <message>
      <source>Opening {loc}…</source>
      <translation>正在打开 {loc}…</translation>
    </message>
    <message>
      <source>Opened {loc}: {sites} sites, {units} demand units, {lots} stock lots, {edges} road edges.</source>
      <translation>已打开 {loc}：{sites} 个站点，{units} 个人口单元，{lots} 个库存批次，{edges} 条路段。</translation>
    </message>
    <message>
      <source>esplan plans (*.esplan)</source>
      <translation>规划文件 (*.esplan)</translation>
    </message>
    <message>
      <source>Open plan</source>
      <extracomment>the engine's modules, imported one at a time while the window idles after a plan opens (each ≤ ~65 ms here). Imported by the first run on the worker thread instead, their C extensions' set-up held the interpreter lock and froze the window for up to 0.2 s.</extracomment>
      <translation>打开规划</translation>
    </message>
    <message>
      <source>esplan plans (*.esplan);;All files (*)</source>
      <translation>规划文件 (*.esplan);;所有文件 (*)</translation>
    </message>
    <message>
      <source>Save plan as</source>
      <translation>规划另存为</translation>
    </message>
    <message>
      <source>A shared PostgreSQL plan is saved on the server; use the database's own backup to copy it.</source>
      <translation>共享的 PostgreSQL 规划保存在服务器上；请使用数据库自身的备份功能复制。</translation>
    </message>
    <message>
      <source>Saved a copy as {path}; you are now working in the copy.</source>
      <translation>已另存为 {path}；现在编辑的是该副本。</translation>
    </message>
    <message>
      <source>Refused: {msg}</source>
      <translation>已拒绝：{msg}</translation>
    </message>
    <message>
      <source>Invalid value</source>
      <translation>无效的值</translation>
    </message>
    <message>
      <source>Change refused</source>
      <translation>修改被拒绝</translation>
    </message>
    <message>
      <source>Edit conflict: {msg}</source>
      <translation>编辑冲突：{msg}</translation>
    </message>
    <message>
      <source>Edit {what} of {row}</source>
      <translation>编辑 {row} 的{what}</translation>
    </message>
    <message>
      <source>Undone: {text}</source>
      <translation>已撤销：{text}</translation>
    </message>
    <message>
      <source>Redone: {text}</source>
      <translation>已重做：{text}</translation>
    </message>
    <message>
      <source>No site or village matches “{text}”.</source>
      <translation>没有与“{text}”匹配的站点或村（社区）。</translation>
    </message>
    <message>
      <source>“{text}” has no coordinates: it is not on the map.</source>
      <translation>“{text}”没有坐标，不在地图上。</translation>
    </message>
    <message>
      <source>Results are out of date — press F5 to rerun</source>
      <translation>结果已过时——按 F5 重新运行</translation>
    </message>
    <message>
      <source>Not on the map: {n} units, {s} sites</source>
      <translation>未上图：{n} 个人口单元，{s} 个站点</translation>
    </message>
    <message>
      <source>Not on the map: {n} units ({p:,} people), {s} sites</source>
      <translation>未上图：{n} 个人口单元（{p:,} 人），{s} 个站点</translation>
    </message>
    <message>
      <source>Add site {code}</source>
      <translation>新增站点 {code}</translation>
    </message>
    <message>
      <source>Edit site {code}</source>
      <translation>编辑站点 {code}</translation>
    </message>
    <message>
      <source>Delete site</source>
      <translation>删除站点</translation>
    </message>
    <message>
      <source>Delete {code} {name} and its stock lots? (Undo restores them.)</source>
      <translation>删除 {code} {name} 及其库存批次？（可撤销恢复）</translation>
    </message>
    <message>
      <source>Delete site {code}</source>
      <translation>删除站点 {code}</translation>
    </message>
    <message>
      <source>Add stock lot</source>
      <translation>新增库存批次</translation>
    </message>
    <message>
      <source>Delete stock lot</source>
      <translation>删除库存批次</translation>
    </message>
    <message>
      <source>Add demand unit {code}</source>
      <translation>新增人口单元 {code}</translation>
    </message>
    <message>
      <source>Add supply item {code}</source>
      <translation>新增物资品类 {code}</translation>
    </message>
    <message>
      <source>Change the printed plan's particulars</source>
      <translation>修改规划文本信息</translation>
    </message>
    <message>
      <source>Change plan figures: {names}</source>
      <translation>修改规划数据：{names}</translation>
    </message>
    <message>
      <source>{what}; rerunning.</source>
      <translation>{what}；正在重新计算。</translation>
    </message>
    <message>
      <source>Move on the map</source>
      <translation>在地图上移动</translation>
    </message>
    <message>
      <source>Add a site here…</source>
      <translation>在此处新增站点…</translation>
    </message>
    <message>
      <source>Click points along the way; double-click or right-click to finish (three points or more: also the area they enclose); Esc to stop.</source>
      <translation>沿线依次点击；双击或右击结束（三个点及以上时同时给出围成的面积）；按 Esc 退出。</translation>
    </message>
    <message>
      <source>Click the corners of the hazard zone; double-click to finish, Esc to cancel.</source>
      <translation>依次点击灾害区的各个顶点；双击结束，Esc 取消。</translation>
    </message>
    <message>
      <source>Click the map to place the site; Esc to cancel.</source>
      <translation>点击地图放置站点；Esc 取消。</translation>
    </message>
    <message>
      <source>{v:,.2f} km</source>
      <translation>{v:,.2f} 公里</translation>
    </message>
    <message>
      <source>{v:,.0f} m</source>
      <translation>{v:,.0f} 米</translation>
    </message>
    <message>
      <source>Distance along the line: {d}</source>
      <translation>沿线距离：{d}</translation>
    </message>
    <message>
      <source>{v:,.2f} km²</source>
      <translation>{v:,.2f} 平方公里</translation>
    </message>
    <message>
      <source>{v:,.0f} m² ({ha:,.2f} ha)</source>
      <translation>{v:,.0f} 平方米（{ha:,.2f} 公顷）</translation>
    </message>
    <message>
      <source>; area enclosed: {a}</source>
      <translation>；围成面积：{a}</translation>
    </message>
    <message>
      <source>Nothing is selected or highlighted on the map.</source>
      <translation>地图上没有选中或高亮的对象。</translation>
    </message>
    <message>
      <source>Flood</source>
      <translation>洪水</translation>
    </message>
    <message>
      <source>Hazard zones belong to a scenario: created scenario “{name}”.</source>
      <translation>灾害区属于情景：已新建情景“{name}”。</translation>
    </message>
    <message>
      <source>Click the map where {code} {name} lies; Esc to cancel.</source>
      <translation>在地图上点击 {code} {name} 所在位置；按 Esc 取消。</translation>
    </message>
    <message>
      <source>Hazard zone added to scenario “{name}” ({n} corners); rerunning.</source>
      <translation>已向情景“{name}”添加灾害区（{n} 个顶点），正在重新运行。</translation>
    </message>
    <message>
      <source>Place {code} {name} on the map</source>
      <translation>在地图上放置 {code} {name}</translation>
    </message>
    <message>
      <source>Move site {code}</source>
      <translation>移动站点 {code}</translation>
    </message>
    <message>
      <source>Close a site</source>
      <translation>停用站点</translation>
    </message>
    <message>
      <source>Select a site in the table or on the map first.</source>
      <translation>请先在表格或地图上选择一个站点。</translation>
    </message>
    <message>
      <source>{n} recommended action(s): served share {a:.1%} → {b:.1%}.</source>
      <translation>{n} 项建议措施：可安置比例 {a:.1%} → {b:.1%}。</translation>
    </message>
    <message>
      <source>No reserve point is needed: {n} of {m} located villages / communities are within the delivery deadline; {u} are not located or far from the roads.</source>
      <translation>无需新增储备点：已定位的 {m} 个村/社区中 {n} 个在配送时限内；{u} 个未定位或距路网过远。</translation>
    </message>
    <message>
      <source>{n} recommended action(s).</source>
      <translation>{n} 项建议措施。</translation>
    </message>
    <message>
      <source>Served within the limit: {a:.1%} now → {b:.1%} with all applied</source>
      <translation>时限内可安置：现状 {a:.1%} → 全部采纳后 {b:.1%}</translation>
    </message>
    <message>
      <source> (target {t:.1%}: {gap:+.1f} pp)</source>
      <translation>（目标 {t:.1%}：{gap:+.1f} 个百分点）</translation>
    </message>
    <message>
      <source>optimal (proven)</source>
      <translation>最优（已证明）</translation>
    </message>
    <message>
      <source>feasible, not proven optimal</source>
      <translation>可行解，未证明最优</translation>
    </message>
    <message>
      <source>the target cannot be reached with these candidates</source>
      <translation>用这些候选点无法达到目标</translation>
    </message>
    <message>
      <source>the target is already met</source>
      <translation>目标已达到</translation>
    </message>
    <message>
      <source>no bound</source>
      <translation>无界限</translation>
    </message>
    <message>
      <source>Solver: {status}; proven gap {gap}; time limit {limit:g} s{took}.</source>
      <translation>求解：{status}；已证明差距 {gap}；时限 {limit:g} 秒{took}。</translation>
    </message>
    <message>
      <source>, took {s:.1f} s</source>
      <translation>，用时 {s:.1f} 秒</translation>
    </message>
    <message>
      <source>{n} recommendation(s) applied to scenario “{name}”.</source>
      <translation>已将 {n} 条建议采纳到情景“{name}”。</translation>
    </message>
    <message>
      <source>Run finished: {passed} checks passed, {failed} failed, {unknown} not assessable; served within the limit {share}.</source>
      <translation>运行完成：{passed} 项达标，{failed} 项未达标，{unknown} 项无法评估；时限内可安置比例 {share}。</translation>
    </message>
    <message>
      <source>Recommended</source>
      <translation>建议方案</translation>
    </message>
    <message>
      <source>&amp;Place / move on the map</source>
      <translation>在地图上放置/移动(&amp;P)</translation>
    </message>
    <message>
      <source>Click the map to move the selected site or village (also one not yet located), or to place a new site (M)</source>
      <translation>点击地图，移动所选站点或村（社区）（包括尚未定位的），或放置新站点（M）</translation>
    </message>
    <message>
      <source>Apply recommendation to scenario {name}</source>
      <translation>将建议应用到情景 {name}</translation>
    </message>
    <message>
      <source>Failed: {err}</source>
      <translation>失败：{err}</translation>
    </message>
    <message>
      <source>The run failed</source>
      <translation>运行失败</translation>
    </message>
    <message>
      <source>Cancelled.</source>
      <translation>已取消。</translation>
    </message>
    <message>
      <source>{label}: {s} sites and {u} villages / communities highlighted.</source>
      <translation>{label}：已高亮 {s} 个站点和 {u} 个村/社区。</translation>
    </message>
    <message>
      <source>Import {file}</source>
      <translation>导入 {file}</translation>
    </message>
    <message>
      <source>Excel (*.xlsx);;CSV (*.csv);;GeoJSON (*.geojson)</source>
      <translation>Excel (*.xlsx);;CSV (*.csv);;GeoJSON (*.geojson)</translation>
    </message>
    <message>
      <source>Exported {n} rows to {path}.</source>
      <translation>已导出 {n} 行到 {path}。</translation>
    </message>
    <message>
      <source>map</source>
      <translation>地图</translation>
    </message>
    <message>
      <source>Export the map view</source>
      <translation>导出地图视图</translation>
    </message>
    <message>
      <source>PNG image (*.png);;PDF (*.pdf)</source>
      <translation>PNG 图片 (*.png);;PDF (*.pdf)</translation>
    </message>
    <message>
      <source>Could not write {path}.</source>
      <translation>无法写入 {path}。</translation>
    </message>
    <message>
      <source>Map view saved as {path}.</source>
      <translation>地图视图已保存为 {path}。</translation>
    </message>
    <message>
      <source>Report written: {path}</source>
      <translation>报告已生成：{path}</translation>
    </message>
    <message>
      <source>Language: {lang}</source>
      <translation>界面语言：{lang}</translation>
    </message>
    <message>
      <source>Every edit is saved in the plan as you make it ({where}); use Save As for a copy.</source>
      <translation>每次修改都已随时保存在规划文件中（{where}）；需要副本请用“另存为”。</translation>
    </message>
    <message>
      <source>Log file</source>
      <translation>日志文件</translation>
    </message>
    <message>
      <source>No log file has been written yet.</source>
      <translation>尚未写入日志文件。</translation>
    </message>
    <message>
      <source>Log file: {path}</source>
      <translation>日志文件：{path}</translation>
    </message>
    <message>
      <source>About esplan</source>
      <translation>关于</translation>
    </message>
    <message>
      <source>&lt;h3&gt;esplan — emergency supplies &amp;amp; shelter planner&lt;/h3&gt;&lt;p&gt;Registry, 72-hour supply and 15-minute shelter coverage checks, what-if scenarios and the printed plan, offline.&lt;/p&gt;&lt;p&gt;Maps: © OpenStreetMap contributors (ODbL).&lt;/p&gt;&lt;p&gt;GPL-3.0-or-later&lt;/p&gt;</source>
      <translation>&lt;h3&gt;应急物资与避难场所规划 (esplan)&lt;/h3&gt;&lt;p&gt;站点登记、72小时物资保障与15分钟避难圈检查、情景推演和规划打印，全部离线运行。&lt;/p&gt;&lt;p&gt;地图数据：© OpenStreetMap 贡献者（ODbL）。&lt;/p&gt;&lt;p&gt;GPL-3.0-or-later&lt;/p&gt;</translation>
    </message>
  </context>
  <context>
    <name>ManualDialog</name>
    <message>
      <source>User manual</source>
      <translation>使用手册</translation>
    </message>
  </context>
  <context>
    <name>NewPlanWizard</name>
    <message>
      <source>New plan</source>
      <translation>新建规划</translation>
    </message>
    <message>
      <source>Create</source>
      <translation>创建</translation>
    </message>
    <message>
      <source>The partly made plan file is kept, as you asked.</source>
      <translation>已按您的要求保留未完成的规划文件。</translation>
    </message>
    <message>
      <source>No plan file was left behind.</source>
      <translation>没有留下规划文件。</translation>
    </message>
    <message>
      <source>Refused: {n} problem(s), listed below. Fix the file and press Create again.</source>
      <translation>被拒绝：{n} 个问题，见下表。修改文件后再次点击“创建”。</translation>
    </message>
    <message>
      <source>Failed: {err}</source>
      <translation>失败：{err}</translation>
    </message>
    <message>
      <source>Cancelled. No plan file was left behind.</source>
      <translation>已取消，没有留下规划文件。</translation>
    </message>
  </context>
  <context>
    <name>OsmPage</name>
    <message>
      <source>Road network</source>
      <translation>路网</translation>
    </message>
    <message>
      <source>An OpenStreetMap extract (.osm or .osm.pbf) that covers the district. Optional: without roads the 15-minute and supply checks cannot be assessed.</source>
      <translation>覆盖本区的 OpenStreetMap 数据（.osm 或 .osm.pbf）。可选：没有路网，15分钟避难圈和物资保障检查无法评估。</translation>
    </message>
    <message>
      <source>.osm / .osm.pbf file (optional)</source>
      <translation>.osm / .osm.pbf 文件（可选）</translation>
    </message>
    <message>
      <source>Browse…</source>
      <translation>浏览…</translation>
    </message>
    <message>
      <source>OSM extract</source>
      <translation>OSM 数据</translation>
    </message>
    <message>
      <source>Keep roads beyond the boundary up to</source>
      <translation>保留区界外道路的范围</translation>
    </message>
    <message>
      <source>Choose a file</source>
      <translation>选择文件</translation>
    </message>
    <message>
      <source>OpenStreetMap (*.osm *.pbf *.osm.pbf *.bz2)</source>
      <translation>OpenStreetMap 文件 (*.osm *.pbf *.osm.pbf *.bz2)</translation>
    </message>
    <message>
      <source>The file {path} does not exist.</source>
      <translation>文件 {path} 不存在。</translation>
    </message>
    <message>
      <source>The roads are clipped to the district boundary widened by this buffer (default {d:,} m), so villages near the edge still reach a road.</source>
      <translation>路网按区界外扩此距离裁剪（默认 {d:,} 米），使靠近边界的村庄仍能连到道路。</translation>
    </message>
    <message>
      <source>No boundary was given: the whole extract is imported, not clipped.</source>
      <translation>未提供区界：导入整个文件的路网，不裁剪。</translation>
    </message>
  </context>
  <context>
    <name>PlanDocument</name>
    <message>
      <source>Issuing office</source>
      <translation>编制单位</translation>
    </message>
    <message>
      <source>Document number</source>
      <translation>文号</translation>
    </message>
    <message>
      <source>Plan period from</source>
      <translation>规划期限起始年</translation>
    </message>
    <message>
      <source>Plan period to</source>
      <translation>规划期限终止年</translation>
    </message>
    <message>
      <source>Prepared by</source>
      <translation>编制人</translation>
    </message>
    <message>
      <source>Reviewed by</source>
      <translation>审核</translation>
    </message>
    <message>
      <source>Approved by</source>
      <translation>批准</translation>
    </message>
    <message>
      <source>English title</source>
      <translation>英文版标题</translation>
    </message>
    <message>
      <source>Further basis (one a line)</source>
      <translation>补充编制依据（每行一项）</translation>
    </message>
    <message>
      <source>Implementation</source>
      <translation>实施安排</translation>
    </message>
    <message>
      <source>Safeguards</source>
      <translation>保障措施</translation>
    </message>
  </context>
  <context>
    <name>PlanDocumentDialog</name>
    <message>
      <source>Printed plan particulars</source>
      <translation>规划文本信息</translation>
    </message>
    <message>
      <source>What the cover and the bureau's own chapters of the printed plan say. A field left empty is printed as not filled in.</source>
      <translation>打印规划文本的封面信息和由编制单位撰写的章节。留空的项目在文本中注明“未填写”。</translation>
    </message>
    <message>
      <source>Plan period</source>
      <translation>规划期限</translation>
    </message>
    <message>
      <source>not set</source>
      <translation>未设定</translation>
    </message>
    <message>
      <source>The plan period ends before it starts.</source>
      <translation>规划期限的终止年早于起始年。</translation>
    </message>
  </context>
  <context>
    <name>PlanFigures</name>
    <message>
      <source>Planning population</source>
      <translation>规划人口</translation>
    </message>
    <message>
      <source>Sheltering share</source>
      <translation>避难需求比例</translation>
    </message>
    <message>
      <source>Supply population</source>
      <translation>保障人口</translation>
    </message>
    <message>
      <source>Event date</source>
      <translation>灾害发生日期</translation>
    </message>
  </context>
  <context>
    <name>PlanFiguresDialog</name>
    <message>
      <source>Plan figures</source>
      <translation>规划数据</translation>
    </message>
    <message>
      <source>The district's own figures. A figure not set takes the default shown; a scenario can override each (Scenarios panel).</source>
      <translation>本区县自己的规划数据。未设定的一项按所示默认值计；情景可分别覆盖（情景面板）。</translation>
    </message>
    <message>
      <source> people</source>
      <translation> 人</translation>
    </message>
    <message>
      <source>Checked: set in the plan. Unchecked: not set, the default applies.</source>
      <translation>勾选：在规划中设定。不勾选：未设定，按默认值计。</translation>
    </message>
    <message>
      <source>Demand units: {n}, population {pop} in total; {unknown} without a population figure.</source>
      <translation>需求单元 {n} 个，人口合计 {pop}；其中 {unknown} 个单元人口未知。</translation>
    </message>
    <message>
      <source>Towns with their own sheltering share (esplan-cli plan set-town-share): {towns}</source>
      <translation>另设避难需求比例的镇街（esplan-cli plan set-town-share）：{towns}</translation>
    </message>
    <message>
      <source>the demand units' population sum — unknown, no unit has a population yet</source>
      <translation>按需求单元人口合计——尚无单元有人口数据，暂无法计算</translation>
    </message>
    <message>
      <source>the demand units' population sum, {n}</source>
      <translation>按需求单元人口合计 {n}</translation>
    </message>
    <message>
      <source>everyone, {share}</source>
      <translation>按全部人口计 {share}</translation>
    </message>
    <message>
      <source>the planning population, {n}</source>
      <translation>按规划人口 {n}</translation>
    </message>
    <message>
      <source>the day of the run (today {date})</source>
      <translation>按计算当天（今天 {date}）</translation>
    </message>
    <message>
      <source>Set in the plan (not set, it would be {default})</source>
      <translation>规划设定（未设定时{default}）</translation>
    </message>
    <message>
      <source>Not set — {default}</source>
      <translation>未设定 — {default}</translation>
    </message>
    <message>
      <source>The plan did not take the change (see the message). The figures were read again: OK saves yours over them, Cancel keeps the plan's.</source>
      <translation>规划未接受此修改（见提示信息）。已重新读取规划数据：按“确定”以您的数值覆盖，按“取消”保留规划中的数值。</translation>
    </message>
  </context>
  <context>
    <name>PlanPage</name>
    <message>
      <source>The new plan</source>
      <extracomment>the registry tables the wizard imports, in the order shown (kind of planner.io.tables) the tables with coordinates (a coordinate system to choose)</extracomment>
      <translation>新规划</translation>
    </message>
    <message>
      <source>Where the plan file goes, its name and the district it is for.</source>
      <translation>规划文件的位置、规划名称及所属区县。</translation>
    </message>
    <message>
      <source>Browse…</source>
      <translation>浏览…</translation>
    </message>
    <message>
      <source>Plan file</source>
      <translation>规划文件</translation>
    </message>
    <message>
      <source>e.g. 山亭区应急物资与避难场所规划 2026</source>
      <translation>如 山亭区应急物资与避难场所规划 2026</translation>
    </message>
    <message>
      <source>Plan name</source>
      <translation>规划名称</translation>
    </message>
    <message>
      <source>e.g. 山亭区</source>
      <translation>如 山亭区</translation>
    </message>
    <message>
      <source>District name</source>
      <translation>区县名称</translation>
    </message>
    <message>
      <source>6-digit division code, e.g. 370406</source>
      <translation>6位区划代码，如 370406</translation>
    </message>
    <message>
      <source>District code</source>
      <translation>区县代码</translation>
    </message>
    <message>
      <source>New plan</source>
      <translation>新建规划</translation>
    </message>
    <message>
      <source>esplan plans (*.esplan)</source>
      <translation>规划文件 (*.esplan)</translation>
    </message>
    <message>
      <source>{path} already exists: choose another name (a new plan never overwrites a file).</source>
      <translation>{path} 已存在：请另选文件名（新建规划不会覆盖已有文件）。</translation>
    </message>
    <message>
      <source>The folder {folder} does not exist.</source>
      <translation>文件夹 {folder} 不存在。</translation>
    </message>
  </context>
  <context>
    <name>RecordDialog</name>
    <message>
      <source>{field} is required.</source>
      <translation>{field}为必填项。</translation>
    </message>
  </context>
  <context>
    <name>RegisterPanel</name>
    <message>
      <source>Copy (tab-separated)</source>
      <translation>复制（制表符分隔）</translation>
    </message>
    <message>
      <source>Delete…</source>
      <translation>删除…</translation>
    </message>
  </context>
  <context>
    <name>ReportDialog</name>
    <message>
      <source>Print the plan (PDF)</source>
      <translation>打印规划（PDF）</translation>
    </message>
    <message>
      <source>Baseline</source>
      <translation>基准</translation>
    </message>
    <message>
      <source>Scenario</source>
      <translation>情景</translation>
    </message>
    <message>
      <source>Tick the scenarios to compare with; every change is printed as scenario − baseline, in percentage points</source>
      <translation>勾选要对比的情景；变化量按“情景 − 基准”打印，比例以个百分点计</translation>
    </message>
    <message>
      <source>Compare with</source>
      <translation>对比情景</translation>
    </message>
    <message>
      <source>Include the shelter recommendation (verified by a rerun)</source>
      <translation>附选址推荐（经复核计算）</translation>
    </message>
    <message>
      <source>Language</source>
      <translation>语言</translation>
    </message>
    <message>
      <source>Prepared by</source>
      <translation>编制人</translation>
    </message>
    <message>
      <source>Browse…</source>
      <translation>浏览…</translation>
    </message>
    <message>
      <source>PDF file</source>
      <translation>PDF 文件</translation>
    </message>
    <message>
      <source>Write PDF</source>
      <translation>生成 PDF</translation>
    </message>
    <message>
      <source>Save the PDF as</source>
      <translation>PDF 另存为</translation>
    </message>
    <message>
      <source>Writing {path} …</source>
      <translation>正在生成 {path} …</translation>
    </message>
    <message>
      <source>The PDF could not be written: {err}</source>
      <translation>无法生成 PDF：{err}</translation>
    </message>
    <message>
      <source>Cancelled.</source>
      <translation>已取消。</translation>
    </message>
  </context>
  <context>
    <name>ResultsPanel</name>
    <message>
      <source>Checks</source>
      <translation>检查项</translation>
    </message>
    <message>
      <source>Charts</source>
      <translation>图表</translation>
    </message>
    <message>
      <source>&lt;i&gt;No run yet. Press &lt;b&gt;Run&lt;/b&gt; (F5) to check the plan.&lt;/i&gt;</source>
      <translation>&lt;i&gt;尚未运行。按&lt;b&gt;运行&lt;/b&gt;（F5）检查规划。&lt;/i&gt;</translation>
    </message>
    <message>
      <source>72-hour supply: in time as a share of required</source>
      <translation>72小时物资：按时送达量占需求比例</translation>
    </message>
    <message>
      <source>Shelter utilisation</source>
      <translation>避难场所使用率</translation>
    </message>
    <message>
      <source>baseline</source>
      <translation>基准</translation>
    </message>
    <message>
      <source>&lt;b&gt;{scenario}&lt;/b&gt; · &lt;span style='color:{colour}'&gt;&lt;b&gt;{passed} passed, {failed} failed, {unknown} not assessable&lt;/b&gt;&lt;/span&gt;&lt;br&gt;Served within the limit: &lt;b&gt;{share}&lt;/b&gt; of {demand} people · over capacity {over} · unreachable {unreach} · not located {unloc}&lt;br&gt;72-h supply shortfall: {items} items, ¥{cost}</source>
      <translation>&lt;b&gt;{scenario}&lt;/b&gt; · &lt;span style='color:{colour}'&gt;&lt;b&gt;{passed} 项达标，{failed} 项未达标，{unknown} 项无法评估&lt;/b&gt;&lt;/span&gt;&lt;br&gt;时限内可安置：&lt;b&gt;{share}&lt;/b&gt;（共 {demand} 人）· 容量不足 {over} · 不可达 {unreach} · 未定位 {unloc}&lt;br&gt;72小时物资缺口：{items} 类，{cost} 元</translation>
    </message>
    <message>
      <source> (incomplete: {n} items without a price)</source>
      <translation>（不完整：{n} 种物资无单价）</translation>
    </message>
    <message>
      <source>Select a check to see its numerator, denominator and the source of its target.</source>
      <translation>选中一项检查，可查看其分子、分母及目标来源。</translation>
    </message>
    <message>
      <source>Shelter utilisation (25 fullest)</source>
      <translation>避难场所使用率（前25位）</translation>
    </message>
    <message>
      <source>{n} of {cap} people</source>
      <translation>{n} / {cap} 人</translation>
    </message>
    <message>
      <source>Target from: {0}</source>
      <translation>目标来源：{0}</translation>
    </message>
  </context>
  <context>
    <name>ScenarioPanel</name>
    <message>
      <source>New</source>
      <translation>新建</translation>
    </message>
    <message>
      <source>Copy</source>
      <translation>复制</translation>
    </message>
    <message>
      <source>Rename</source>
      <translation>重命名</translation>
    </message>
    <message>
      <source>Delete</source>
      <translation>删除</translation>
    </message>
    <message>
      <source>Hazard zones and closures</source>
      <translation>灾害区与停用站点</translation>
    </message>
    <message>
      <source>Draw flood zone</source>
      <translation>绘制洪水区</translation>
    </message>
    <message>
      <source>Close selected site</source>
      <translation>停用所选站点</translation>
    </message>
    <message>
      <source>Remove</source>
      <translation>移除</translation>
    </message>
    <message>
      <source>Parameters (— = plan default)</source>
      <translation>参数（— 表示采用规划默认值）</translation>
    </message>
    <message>
      <source>Supply population</source>
      <translation>保障人口</translation>
    </message>
    <message>
      <source>保障人口: the people the 72-hour supply must cover in this scenario (— = the plan's figure, Plan ▸ Plan figures…)</source>
      <translation>保障人口：本情景中72小时基础生活保障须覆盖的人数（— 表示采用规划数据，见 规划 ▸ 规划数据…）</translation>
    </message>
    <message>
      <source>灾害发生日期: stock must be unexpired on this day (empty = the plan's figure, Plan ▸ Plan figures…)</source>
      <translation>灾害发生日期：库存须在此日未过期（留空表示采用规划数据，见 规划 ▸ 规划数据…）</translation>
    </message>
    <message>
      <source>Time limit, min</source>
      <translation>时限（分钟）</translation>
    </message>
    <message>
      <source>Walking speed, m/s</source>
      <translation>步行速度（米/秒）</translation>
    </message>
    <message>
      <source>Event date</source>
      <translation>灾害发生日期</translation>
    </message>
    <message>
      <source>Apply parameters</source>
      <translation>应用参数</translation>
    </message>
    <message>
      <source>Run scenario</source>
      <translation>运行情景</translation>
    </message>
    <message>
      <source>Compare scenarios</source>
      <translation>情景对比</translation>
    </message>
    <message>
      <source>Recommendations</source>
      <translation>选址建议</translation>
    </message>
    <message>
      <source>Recommend sites</source>
      <translation>推荐选址</translation>
    </message>
    <message>
      <source>Fewest new shelters to reach the target</source>
      <translation>达到目标所需最少新建避难场所</translation>
    </message>
    <message>
      <source>The best k new shelters</source>
      <translation>最优的 k 处新建避难场所</translation>
    </message>
    <message>
      <source>Reserve points within the delivery deadline</source>
      <translation>满足配送时限的前置储备点</translation>
    </message>
    <message>
      <source>Apply to scenario</source>
      <translation>应用到情景</translation>
    </message>
    <message>
      <source>Baseline (the plan as registered)</source>
      <translation>基准（现有登记数据）</translation>
    </message>
    <message>
      <source>Hazard zone: {name} ({effect})</source>
      <translation>灾害区：{name}（{effect}）</translation>
    </message>
    <message>
      <source>Site {code}: {status}</source>
      <translation>站点 {code}：{status}</translation>
    </message>
    <message>
      <source>Scenario name:</source>
      <translation>情景名称：</translation>
    </message>
    <message>
      <source>A scenario named “{name}” already exists.</source>
      <translation>已存在名为“{name}”的情景。</translation>
    </message>
    <message>
      <source>New scenario</source>
      <translation>新建情景</translation>
    </message>
    <message>
      <source>Flood</source>
      <translation>洪水</translation>
    </message>
    <message>
      <source>New scenario {name}</source>
      <translation>新建情景 {name}</translation>
    </message>
    <message>
      <source>Copy scenario</source>
      <translation>复制情景</translation>
    </message>
    <message>
      <source>Baseline</source>
      <translation>基准</translation>
    </message>
    <message>
      <source>copy</source>
      <translation>副本</translation>
    </message>
    <message>
      <source>Copy scenario to {name}</source>
      <translation>复制情景为 {name}</translation>
    </message>
    <message>
      <source>Rename scenario</source>
      <translation>重命名情景</translation>
    </message>
    <message>
      <source>Rename scenario to {name}</source>
      <translation>将情景重命名为 {name}</translation>
    </message>
    <message>
      <source>Delete scenario</source>
      <translation>删除情景</translation>
    </message>
    <message>
      <source>Delete the scenario “{name}” with its hazard zones?</source>
      <translation>删除情景“{name}”及其灾害区？</translation>
    </message>
    <message>
      <source>Delete scenario {name}</source>
      <translation>删除情景 {name}</translation>
    </message>
    <message>
      <source>Flood zone {n}</source>
      <translation>洪水区 {n}</translation>
    </message>
    <message>
      <source>Draw hazard zone {name}</source>
      <translation>绘制灾害区 {name}</translation>
    </message>
    <message>
      <source>Close site {code} in the scenario</source>
      <translation>在情景中停用站点 {code}</translation>
    </message>
    <message>
      <source>Remove hazard zone</source>
      <translation>移除灾害区</translation>
    </message>
    <message>
      <source>Reopen site in the scenario</source>
      <translation>在情景中恢复站点</translation>
    </message>
    <message>
      <source>Change scenario parameters</source>
      <translation>修改情景参数</translation>
    </message>
    <message>
      <source>Applied to “{scenario}”: {text}</source>
      <translation>已应用于“{scenario}”：{text}</translation>
    </message>
  </context>
  <context>
    <name>SitesPanel</name>
    <message>
      <source>Search sites…</source>
      <translation>搜索站点…</translation>
    </message>
    <message>
      <source>All kinds</source>
      <translation>全部类型</translation>
    </message>
    <message>
      <source>All statuses</source>
      <translation>全部状态</translation>
    </message>
    <message>
      <source>All towns</source>
      <translation>全部乡镇</translation>
    </message>
  </context>
  <context>
    <name>StockPanel</name>
    <message>
      <source>Stock of {code} {name}</source>
      <translation>{code} {name} 的库存</translation>
    </message>
    <message>
      <source>Stock of all sites</source>
      <translation>全部站点的库存</translation>
    </message>
    <message>
      <source>All sites</source>
      <translation>全部站点</translation>
    </message>
    <message>
      <source>Add lot…</source>
      <translation>新增批次…</translation>
    </message>
    <message>
      <source>Delete lot</source>
      <translation>删除批次</translation>
    </message>
  </context>
  <context>
    <name>SummaryPage</name>
    <message>
      <source>Create the plan</source>
      <translation>创建规划</translation>
    </message>
    <message>
      <source>Check what will be done, then press Create. Nothing is written before.</source>
      <translation>核对将要进行的操作，然后点击“创建”。此前不写入任何内容。</translation>
    </message>
    <message>
      <source>If a step fails, keep the partly made plan file (normally it is deleted)</source>
      <translation>某一步失败时保留未完成的规划文件（默认删除）</translation>
    </message>
    <message>
      <source>Plan file: {path}</source>
      <translation>规划文件：{path}</translation>
    </message>
    <message>
      <source>Plan name: {name}; district {district} ({code})</source>
      <translation>规划名称：{name}；区县 {district}（{code}）</translation>
    </message>
    <message>
      <source>Boundary: {file}</source>
      <translation>区界：{file}</translation>
    </message>
    <message>
      <source>Boundary: none</source>
      <translation>区界：无</translation>
    </message>
    <message>
      <source>Roads: {file}, clipped with a {m:,} m buffer</source>
      <translation>路网：{file}，按区界外扩 {m:,} 米裁剪</translation>
    </message>
    <message>
      <source>Roads: {file}, not clipped</source>
      <translation>路网：{file}，不裁剪</translation>
    </message>
    <message>
      <source>Roads: none</source>
      <translation>路网：无</translation>
    </message>
    <message>
      <source>{kind}: {file} ({n} columns, coordinates {crs})</source>
      <translation>{kind}：{file}（{n} 列，坐标系 {crs}）</translation>
    </message>
    <message>
      <source>Registry tables: none</source>
      <translation>名录表：无</translation>
    </message>
    <message>
      <source>Then the plan opens and the checks run; the Data completeness panel lists what is still missing.</source>
      <translation>随后打开规划并运行检查；“数据完整性”面板列出仍缺少的数据。</translation>
    </message>
  </context>
  <context>
    <name>TableFileChooser</name>
    <message>
      <source>CSV or XLSX file (optional)</source>
      <translation>CSV 或 XLSX 文件（可选）</translation>
    </message>
    <message>
      <source>Browse…</source>
      <translation>浏览…</translation>
    </message>
    <message>
      <source>Columns…</source>
      <translation>列对应…</translation>
    </message>
    <message>
      <source>Choose a file</source>
      <translation>选择文件</translation>
    </message>
    <message>
      <source>Tables (*.csv *.xlsx *.geojson *.json)</source>
      <translation>表格 (*.csv *.xlsx *.geojson *.json)</translation>
    </message>
    <message>
      <source>All files (*)</source>
      <translation>所有文件 (*)</translation>
    </message>
    <message>
      <source>Check the columns (Columns…): {fields} need your choice or confirmation.</source>
      <translation>请核对列对应（列对应…）：{fields} 需要您选择或确认。</translation>
    </message>
    <message>
      <source>{n} columns matched: {pairs}.</source>
      <translation>已对应 {n} 列：{pairs}。</translation>
    </message>
    <message>
      <source>Not imported: {cols}.</source>
      <translation>不导入：{cols}。</translation>
    </message>
  </context>
  <context>
    <name>TablesPage</name>
    <message>
      <source>Registry tables</source>
      <translation>名录表</translation>
    </message>
    <message>
      <source>Towns, villages, sites, the supply catalogue and stock, each optional (CSV or XLSX, any columns: you match them to the template).</source>
      <translation>乡镇、村（社区）、场所、物资品类和库存，均可选（CSV 或 XLSX，列名不限：由您与模板对应）。</translation>
    </message>
    <message>
      <source>Towns</source>
      <translation>乡镇</translation>
    </message>
    <message>
      <source>Villages / communities</source>
      <translation>村（社区）</translation>
    </message>
    <message>
      <source>Sites: warehouses, points, shelters</source>
      <translation>站点：仓库、储备点、避难场所</translation>
    </message>
    <message>
      <source>Supply catalogue</source>
      <translation>物资品类</translation>
    </message>
    <message>
      <source>Stock lots</source>
      <translation>库存批次</translation>
    </message>
    <message>
      <source>Coordinates</source>
      <translation>坐标系</translation>
    </message>
    <message>
      <source>WGS-84 / CGCS2000 (GPS)</source>
      <translation>WGS-84 / CGCS2000（GPS）</translation>
    </message>
    <message>
      <source>GCJ-02 (AMap, Tencent)</source>
      <translation>GCJ-02（高德、腾讯）</translation>
    </message>
    <message>
      <source>BD-09 (Baidu)</source>
      <translation>BD-09（百度）</translation>
    </message>
    <message>
      <source>Match the columns of {files} first (Columns…).</source>
      <translation>请先完成 {files} 的列对应（列对应…）。</translation>
    </message>
  </context>
  <context>
    <name>Validation</name>
    <message>
      <source>{field} is required.</source>
      <translation>{field}为必填项。</translation>
    </message>
    <message>
      <source>{field}: “{value}” is not a number.</source>
      <translation>{field}：“{value}”不是数字。</translation>
    </message>
    <message>
      <source>{field} cannot be less than {min:g} (got {value:g}).</source>
      <translation>{field}不能小于 {min:g}（输入为 {value:g}）。</translation>
    </message>
    <message>
      <source>{field} cannot be more than {max:g} (got {value:g}).</source>
      <translation>{field}不能大于 {max:g}（输入为 {value:g}）。</translation>
    </message>
    <message>
      <source>{field} must be a whole number (got {value:g}).</source>
      <translation>{field}必须是整数（输入为 {value:g}）。</translation>
    </message>
    <message>
      <source>{field}: “{value}” is not a date (use YYYY-MM-DD).</source>
      <translation>{field}：“{value}”不是日期（格式 YYYY-MM-DD）。</translation>
    </message>
    <message>
      <source>{field}: “{value}” is not one of {choices}.</source>
      <translation>{field}：“{value}”不在可选值 {choices} 中。</translation>
    </message>
    <message>
      <source>Agreement stock needs a lead time: enter the lead time first.</source>
      <translation>协议储备必须有供货时间：请先填写供货时间。</translation>
    </message>
    <message>
      <source>Vulnerable people cannot exceed the population ({p:,}).</source>
      <translation>脆弱人群人数不能超过总人口（{p:,}）。</translation>
    </message>
  </context>
</TS>