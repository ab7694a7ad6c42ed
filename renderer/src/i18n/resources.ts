// Every table of console text, by language, as i18next takes them (index.ts; the unit tests read them too).
import { en } from './en';
import { zhCN } from './zh-CN';
import { evaluatorEn, evaluatorZh } from './evaluation';
import { adminEn, adminZh } from './setup';
import { gridEn, gridZh } from './grid';
import { rosterEn, rosterZh } from './roster';
import { refusalsEn, refusalsZh } from './refusals';

export const resources = {
  'zh-CN': { translation: { ...zhCN, evaluator: evaluatorZh, admin: { ...adminZh, grid: gridZh, roster: rosterZh }, refusals: refusalsZh } },
  en: { translation: { ...en, evaluator: evaluatorEn, admin: { ...adminEn, grid: gridEn, roster: rosterEn }, refusals: refusalsEn } },
};
