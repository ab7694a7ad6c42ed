// What simulated field staff write: typical reports per category, refusal reasons, SOS notes.
// Bilingual because the console shows the text as the officer typed it, to Chinese and English users.
import type { IncidentCategory } from '../../shared/domain';

export const INCIDENT_REPORTS: Record<IncidentCategory, readonly string[]> = {
  cityscape: ['占道经营，流动摊贩 / Street vendors blocking the pavement', '店外经营 / Shop trading outside its front', '乱堆物料 / Materials piled on the footway'],
  advertising: ['违规张贴小广告 / Illegal flyers posted', '破损广告牌 / Damaged billboard', '未经审批的横幅 / Unapproved banner'],
  lighting: ['路灯不亮 / Street light out', '景观灯损坏 / Decorative lighting broken', '灯杆倾斜 / Lamp post leaning'],
  sanitation: ['垃圾满溢 / Overflowing bins', '道路污染 / Road soiled', '暴露垃圾 / Exposed rubbish'],
  muck: ['渣土车未密闭 / Muck truck uncovered', '渣土撒漏 / Spilled construction spoil', '夜间违规运输 / Unlicensed night haulage'],
  greening: ['绿化带损毁 / Green belt damaged', '树木倒伏 / Fallen tree', '毁绿种菜 / Verge dug up for vegetables'],
  parking: ['违章停车占用人行道 / Car parked on the pavement', '共享单车乱停放 / Shared bikes blocking the way', '占用消防通道 / Fire lane blocked'],
  municipal: ['井盖缺失 / Manhole cover missing', '路面塌陷 / Road surface sunk', '护栏损坏 / Guard rail broken'],
  planning: ['疑似违法建设 / Suspected illegal construction', '擅自搭建雨棚 / Unauthorised canopy', '违规改变外立面 / Facade altered without permit'],
  drainage: ['路面积水 / Standing water on the road', '雨水口堵塞 / Gully blocked', '污水外溢 / Sewage overflowing'],
};

/** How often each category comes up in a centre's day (parking and cityscape dominate). */
export const CATEGORY_WEIGHTS: readonly (readonly [IncidentCategory, number])[] = [
  ['cityscape', 18], ['advertising', 10], ['lighting', 6], ['sanitation', 14], ['muck', 6],
  ['greening', 6], ['parking', 22], ['municipal', 8], ['planning', 4], ['drainage', 6],
];

export const REFUSAL_REASONS = [
  '正在处理另一起事件 / Handling another incident',
  '车辆故障 / Vehicle breakdown',
  '不在辖区，建议改派 / Outside my area, please reassign',
  '人手不足，需要支援 / Not enough people, need backup',
] as const;

export const SOS_NOTES = [
  '遭遇暴力抗法 / Facing violent resistance',
  '围观人员聚集，请求支援 / Crowd gathering, request backup',
  '身体不适 / Feeling unwell',
  '',
] as const;

export const FINISH_NOTES = [
  '已劝离 / Persuaded to leave',
  '已清理 / Cleared',
  '已拍照取证并通知责任单位 / Evidence taken, responsible unit notified',
  '已整改完毕 / Rectified on the spot',
] as const;
