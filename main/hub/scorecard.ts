// The scorecard (千分制) of a period: the store's counts (store/scorecard.ts) turned into rates and
// points by the configured weights (resources/scorecard/scorecard.json), with star levels, and the same
// card for the period just before for comparison.
import fs from 'node:fs';
import {
  SOURCE_TARGETS_MAX, ScorecardConfig, type IndicatorId, type IndicatorScore, type IndicatorSource, type ScoreCardResult,
} from '../../shared/protocol/scorecard';
import type { ReadDb } from '../store/db';
import { scorecardCounts, type Period, type ScorecardCounts } from '../store/scorecard';

export const SCORECARD_FILE = new URL('../../resources/scorecard/scorecard.json', import.meta.url);

/** Reads and validates a scorecard configuration; throws with what is wrong. */
export function loadScorecardConfig(file: URL | string = SCORECARD_FILE): ScorecardConfig {
  const parsed = ScorecardConfig.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
  if (!parsed.success) throw new Error(`scorecard configuration ${String(file)}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

type Figure = { met: number; of: number; detail: Record<string, number | null>; source: IndicatorSource };

function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const sec = (ms: number | null) => (ms === null ? null : ms / 1000);
const mins = (ms: number) => Math.round(ms / 60_000);

/** Alerts answered in time: met within the target, pending while unanswered and younger than it. */
function answered(items: Array<{ raisedAt: number; ackedAt: number | null }>, targetSec: number, now: number) {
  const ackSec = items.filter((s) => s.ackedAt !== null).map((s) => (s.ackedAt! - s.raisedAt) / 1000);
  const pending = items.filter((s) => s.ackedAt === null && s.raisedAt + targetSec * 1000 > now).length;
  return { met: ackSec.filter((s) => s <= targetSec).length, of: items.length - pending, ackSec, pending };
}

function figures(c: ScorecardCounts, p: Period, cfg: ScorecardConfig): Record<IndicatorId, Figure> {
  const ackSec = c.sos.filter((s) => s.ackedAt !== null).map((s) => (s.ackedAt! - s.raisedAt) / 1000);
  // An SOS not acknowledged yet but raised less than the target ago is pending, not missed.
  const sosPending = c.sos.filter((s) => s.ackedAt === null && s.raisedAt + cfg.sosAckTargetSec * 1000 > p.now).length;
  const pending = (n: number) => ({ pending: n });
  const minutes = Math.floor((p.to - p.from) / 60_000);
  const downMinutes = Math.ceil(c.cameras.downMs / 60_000);
  const medianOf = (k: 'ackMs' | 'arriveMs' | 'finishMs') => sec(median(c.taskTimes.map((t) => t[k]).filter((x): x is number => x !== null)));
  const alerts = answered(c.fenceAlerts, cfg.alertAckTargetSec, p.now);
  const { routes, dwell } = c.coverage;
  const targets = (ids: string[]) => ids.slice(0, SOURCE_TARGETS_MAX);
  return {
    checkin_compliance: { met: c.checkIns.n, of: c.checkIns.n + c.checkIns.missed, detail: { missed: c.checkIns.missed }, source: { actionPrefix: 'checkin:' } },
    on_post_rate: { met: c.checkIns.onSite, of: c.checkIns.n, detail: {}, source: { action: 'checkin:create' } },
    task_ack_in_time: { met: c.tasks.acked, of: c.tasks.ackDue, detail: { ...pending(c.tasks.n - c.tasks.ackDue), medianSec: medianOf('ackMs') }, source: { actionPrefix: 'task:' } },
    task_arrive_in_time: { met: c.tasks.arrived, of: c.tasks.arriveDue, detail: { ...pending(c.tasks.n - c.tasks.arriveDue), medianSec: medianOf('arriveMs') }, source: { actionPrefix: 'task:' } },
    task_finish_in_time: { met: c.tasks.finished, of: c.tasks.finishDue, detail: { ...pending(c.tasks.n - c.tasks.finishDue), medianSec: medianOf('finishMs') }, source: { actionPrefix: 'task:' } },
    sos_ack_in_time: {
      met: ackSec.filter((s) => s <= cfg.sosAckTargetSec).length, of: c.sos.length - sosPending,
      detail: { medianAckSec: median(ackSec), unacknowledged: c.sos.length - ackSec.length, targetSec: cfg.sosAckTargetSec, pending: sosPending },
      source: { actionPrefix: 'sos:', targets: targets(c.sos.map((s) => s.id)) },
    },
    camera_availability: {
      met: Math.max(0, c.cameras.keyCameras * minutes - downMinutes), of: c.cameras.keyCameras * minutes,
      detail: { keyCameras: c.cameras.keyCameras, downMinutes }, source: { actionPrefix: 'camera:' },
    },
    incident_closure: { met: c.incidents.closed, of: c.incidents.n, detail: {}, source: { actionPrefix: 'incident:' } },
    rollcall_answered: {
      met: c.rollCalls.answered, of: c.rollCalls.answered + c.rollCalls.missed,
      detail: { missed: c.rollCalls.missed, pending: c.rollCalls.pending }, source: { actionPrefix: 'rollcall:' },
    },
    route_coverage: {
      met: routes.driven, of: routes.pieces,
      detail: { periods: routes.periods, running: routes.running }, source: { coverage: 'routes' },
    },
    // in minutes, so that met and of read as time
    cell_dwell: {
      met: mins(dwell.assignedMs), of: mins(dwell.seenMs),
      detail: { running: dwell.running }, source: { coverage: 'dwell' },
    },
    mode_change_reasons: {
      met: c.modeChanges.withReason, of: c.modeChanges.byPeople,
      detail: { scheduled: c.modeChanges.scheduled, minChars: cfg.modeReasonMinChars }, source: { actionPrefix: 'mode:' },
    },
    alert_ack_in_time: {
      met: alerts.met, of: alerts.of,
      detail: { medianAckSec: median(alerts.ackSec), unacknowledged: c.fenceAlerts.length - alerts.ackSec.length, targetSec: cfg.alertAckTargetSec, pending: alerts.pending },
      source: { actionPrefix: 'fence:' },
    },
  };
}

const round1 = (x: number) => Math.round(x * 10) / 10;

export function starsFor(total: number, cfg: ScorecardConfig): number {
  return cfg.stars.find((s) => total >= s.minScore)?.stars ?? 0;
}

function card(db: ReadDb, p: Period, cfg: ScorecardConfig): { total: number; stars: number; indicators: IndicatorScore[]; recorded: boolean } {
  const counts = scorecardCounts(db, p, cfg.modeReasonMinChars);
  const f = figures(counts, p, cfg);
  const indicators = cfg.indicators.map((i): IndicatorScore => {
    const { met, of, detail, source } = f[i.id];
    const rate = of > 0 ? met / of : null;
    return { id: i.id, name: i.name, definition: i.definition, weight: i.weight, met, of, rate, points: round1(i.weight * (rate ?? 1)), detail, source };
  });
  const total = round1(indicators.reduce((s, i) => s + i.points, 0));
  return { total, stars: starsFor(total, cfg), indicators, recorded: counts.recorded };
}

/** `p.now`: the hub's clock; what is still within its deadline then is pending (left out), not missed. */
export function scoreCard(db: ReadDb, p: Period, cfg: ScorecardConfig): ScoreCardResult {
  const now = card(db, p, cfg);
  const prev = { from: p.from - (p.to - p.from), to: p.from, now: p.now };
  const before = card(db, prev, cfg);
  return { from: p.from, to: p.to, configVersion: cfg.version, total: now.total, stars: now.stars, indicators: now.indicators, previous: { from: prev.from, to: prev.to, total: before.total, stars: before.stars, recorded: before.recorded } };
}
