// Why the hub recommends a unit, in words: the reason's key worded, and its own post or cell by name,
// not the id the hub names it by (the panel said "本网格 cell-01-04").
import type { TFunction } from 'i18next';
import type { Area } from '../../../shared/domain';
import type { RecommendReason } from '../../../shared/protocol/recommend';

export function reasonText(t: TFunction, reason: RecommendReason, areas: ReadonlyMap<string, Area>): string {
  const params: Record<string, string | number> = { ...reason.params };
  for (const k of ['post', 'cell']) {
    const id = params[k];
    if (typeof id === 'string') params[k] = areas.get(id)?.name ?? id;
  }
  return t(reason.key, params);
}
