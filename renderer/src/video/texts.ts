// Video wall text in Simplified Chinese and English, picked by the console's current language.
import { useTranslation } from 'react-i18next';

const zh = {
  connecting: '连接中',
  live: '直播',
  stale: '卡顿',
  offline: '离线',
  offlineSince: (time: string) => `离线 自 ${time} — 重试中`,
  firstFrame: '首帧',
  latency: '延迟',
  empty: '拖入摄像机',
  following: '跟随',
  clear: '移除',
  layout: '布局',
  noCamera: '摄像机已不存在',
};
type VideoTexts = typeof zh;
const en: VideoTexts = {
  connecting: 'connecting',
  live: 'LIVE',
  stale: 'stale',
  offline: 'offline',
  offlineSince: (time: string) => `offline since ${time} — retrying`,
  firstFrame: 'first frame',
  latency: 'latency',
  empty: 'drop a camera here',
  following: 'following',
  clear: 'remove',
  layout: 'layout',
  noCamera: 'camera no longer exists',
};

export function useVideoTexts(): VideoTexts {
  const { i18n } = useTranslation();
  return i18n.language.startsWith('zh') ? zh : en;
}

/** 02:14 — the clock time an operator compares with the wall clock. */
export function clockTime(at: number): string {
  const d = new Date(at);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}
