// The evaluator's screen text (renderer/src/evaluator/), merged under `evaluator.` in both languages.
export const evaluatorEn = {
  title: 'Evaluation',
  tabs: { timeline: 'Timeline', replay: 'Map replay', scorecard: 'Scorecard' },
  period: { from: 'From', to: 'To', today: 'Today', yesterday: 'Yesterday', week: 'Last 7 days', zone: 'center time ({{zone}})' },
  verify: {
    button: 'Verify chain', busy: 'Verifying…',
    ok: '{{count}} entries verified, head {{head}}',
    legacy: '({{n}} written before store v30, checked by the earlier rule)',
    bad: 'The chain is BROKEN at entry {{seq}}: {{why}}',
    failed: 'Could not verify: {{reason}}',
    note: 'Checked by the hub over every entry; exports carry a checkpoint signed with its key.',
  },
  filters: {
    unit: 'Unit', area: 'Area (post, cell, district)', actor: 'Who', action: 'Action (e.g. task: or task:assign)', outcome: 'Outcome', text: 'Text',
    any: 'any', accepted: 'accepted', rejected: 'refused', apply: 'Apply', clear: 'Clear', oneObject: 'The unit filter finds every entry naming the unit, as a text search: it does not combine with free text.',
  },
  timeline: {
    cols: { time: 'Time', actor: 'Who', action: 'Action', target: 'About', outcome: 'Outcome' },
    more: 'Load more', shown: '{{n}} entries shown', end: 'End of the period', none: 'No entries match', loading: 'Loading…',
    truncated: 'The text search read {{n}} entries without filling the page — load more to go on.',
    exportCsv: 'Export CSV', exportPdf: 'Export PDF', exported: '{{file}}: {{rows}} rows, head {{head}}', exportedTruncated: ' (truncated)',
  },
  panel: {
    entry: 'Entry #{{seq}}', concerns: 'About', payload: 'Content', reason: 'Reason', hash: 'Hash', prev: 'Previous hash', close: 'Close',
    aboutEntries: 'Entries about {{id}}', replayUnit: 'Replay this unit', liveNow: 'Now', notLive: 'not in the live picture (closed, or not known to this console)',
    kinds: { incident: 'Incident', task: 'Task', sos: 'SOS', unit: 'Unit', camera: 'Camera', mode: 'Mode', area: 'Area', user: 'User' },
  },
  replay: {
    play: 'Play', pause: 'Pause', speed: 'Speed', at: 'Replay time', area: 'Area', wholeCity: 'Whole city', unit: 'One unit\'s track', showTrack: 'Show track', clearTrack: 'Hide track',
    loading: 'Loading history…', fixes: '{{n}} positions in view', track: '{{n}} fixes of {{unit}}', noTrack: 'No positions of {{unit}} in this period',
    retention: 'Kept: every position for {{full}} days, then one per {{step}} s per unit; {{keep}}.', keepForever: 'kept for ever at that rate', keepDays: 'nothing after {{n}} days',
    downsampled: 'This time is older than {{full}} days: positions here are thinned to one per {{step}} s.',
    lookback: 'A unit is shown once it has reported in the replay; one silent for over 5 minutes shows as offline.',
    truncated: 'Too many positions in this window: the earliest are shown. Pick an area to see all.',
    noCamera: 'Camera health is not replayed: cameras show without their live state.',
  },
  score: {
    total: 'Total', stars: 'Stars', previous: 'Period before: {{total}} ({{delta}})', indicator: 'Indicator', definition: 'How it is computed', figure: 'Counted', points: 'Points',
    of: '{{met}} of {{of}}', nothing: 'nothing to count (full points)', median: 'median acknowledge {{s}} s', downMinutes: '{{n}} camera-minutes down of {{cams}} key cameras', missed: '{{n}} missed check-ins', pending: '{{n}} still within the deadline',
    entries: 'Entries', loading: 'Computing…', config: 'Weights: version {{v}}, sum 1000',
  },
  error: 'The hub did not answer: {{reason}}',
  offline: 'The hub is away: what is shown was read before {{time}} and may be out of date.',
};

export const evaluatorZh: typeof evaluatorEn = {
  title: '考评',
  tabs: { timeline: '时间线', replay: '地图回放', scorecard: '记分卡' },
  period: { from: '从', to: '至', today: '今天', yesterday: '昨天', week: '近 7 天', zone: '中心时间（{{zone}}）' },
  verify: {
    button: '校验哈希链', busy: '校验中…',
    ok: '已校验 {{count}} 条记录，链头 {{head}}',
    legacy: '（其中 {{n}} 条写于 v30 之前，按旧规则校验）',
    bad: '哈希链已损坏，第 {{seq}} 条：{{why}}',
    failed: '无法校验：{{reason}}',
    note: '由中心逐条校验全部记录；导出文件附带中心密钥签名的检查点。',
  },
  filters: {
    unit: '单元', area: '区域（岗位、网格、片区）', actor: '操作人', action: '动作（如 task: 或 task:assign）', outcome: '结果', text: '文本',
    any: '全部', accepted: '已执行', rejected: '被拒绝', apply: '筛选', clear: '清除', oneObject: '单元筛选按文本查找提及该单元的全部记录，不能与自由文本同时使用。',
  },
  timeline: {
    cols: { time: '时间', actor: '操作人', action: '动作', target: '对象', outcome: '结果' },
    more: '加载更多', shown: '已显示 {{n}} 条', end: '期间已到末尾', none: '没有符合条件的记录', loading: '加载中…',
    truncated: '文本搜索已读 {{n}} 条仍未填满一页——加载更多以继续。',
    exportCsv: '导出 CSV', exportPdf: '导出 PDF', exported: '{{file}}：{{rows}} 行，链头 {{head}}', exportedTruncated: '（已截断）',
  },
  panel: {
    entry: '记录 #{{seq}}', concerns: '所涉对象', payload: '内容', reason: '原因', hash: '哈希', prev: '前一哈希', close: '关闭',
    aboutEntries: '关于 {{id}} 的记录', replayUnit: '回放该单元', liveNow: '当前', notLive: '不在实时画面中（已结束，或本终端未知）',
    kinds: { incident: '事件', task: '任务', sos: '一键求助', unit: '单元', camera: '摄像机', mode: '模式', area: '区域', user: '用户' },
  },
  replay: {
    play: '播放', pause: '暂停', speed: '倍速', at: '回放时间', area: '区域', wholeCity: '全城', unit: '单元轨迹', showTrack: '显示轨迹', clearTrack: '隐藏轨迹',
    loading: '正在读取历史…', fixes: '视野内 {{n}} 个定位', track: '{{unit}} 的 {{n}} 个定位', noTrack: '该期间内没有 {{unit}} 的定位',
    retention: '保留规则：{{full}} 天内保留全部定位，之后每单元每 {{step}} 秒保留一个；{{keep}}。', keepForever: '按此频率永久保留', keepDays: '{{n}} 天后删除',
    downsampled: '此时刻早于 {{full}} 天：这里的定位已抽稀为每 {{step}} 秒一个。',
    lookback: '单元在回放中上报后才显示；超过 5 分钟未上报显示为离线。',
    truncated: '该时段定位过多，仅显示最早的部分。请选择区域以查看全部。',
    noCamera: '摄像机状态不回放：摄像机显示时不带实时状态。',
  },
  score: {
    total: '总分', stars: '星级', previous: '上一期间：{{total}}（{{delta}}）', indicator: '指标', definition: '计算方法', figure: '统计', points: '得分',
    of: '{{met}} / {{of}}', nothing: '期间内无可统计项（记满分）', median: '确认时间中位数 {{s}} 秒', downMinutes: '{{cams}} 台重点摄像机共离线 {{n}} 分钟', missed: '漏打卡 {{n}} 次', pending: '{{n}} 项时限未到',
    entries: '相关记录', loading: '计算中…', config: '权重：第 {{v}} 版，合计 1000',
  },
  error: '中心未应答：{{reason}}',
  offline: '中心已断开：显示内容读取于 {{time}} 之前，可能已过时。',
};
