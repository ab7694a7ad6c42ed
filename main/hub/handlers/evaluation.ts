// The evaluator's read requests beyond the timeline: the scorecard of a period, and exports of the
// timeline and the scorecard (CSV, PDF) carrying the verified chain head and a signed checkpoint.
// An export is itself audited (who took which record out, and under which head); nothing else changes.
import type { z } from 'zod';
import type { Role } from '../../../shared/domain';
import {
  AUDIT_RAW_PAGE_MAX, AuditRawRequest, CheckpointsRequest, COVERAGE_ROWS_MAX, CoverageRequest, ExportRequest, ScoreCardRequest,
  type AuditRawResult, type CheckpointsResult, type CoverageResult, type ExportResult, type ScoreCardResult,
} from '../../../shared/protocol/scorecard';
import { centerDay } from '../../../shared/time';
import { appendAudit, auditRawPage } from '../../store/audit';
import { dataDirPublicKey } from '../../store/checkpoint';
import { recentCheckpoints } from '../../store/checkpoint-record';
import { dwellIn, routeCoverageIn } from '../../store/coverage';
import type { Db } from '../../store/db';
import type { AuditVerifyResult } from '../../../shared/protocol/sockets';
import type { Actor } from '../commands';
import {
  chainForExport, scorecardCsv, scorecardPdf, timelineCsv, timelinePdf, timelineRows,
} from '../exports';
import type { RequestDef, RequestTable } from '../requests';
import { scoreCard } from '../scorecard';
import type { HubServices } from '../services';
import { sharedVerify } from '../verify-walk';

const RECORD_READERS: readonly Role[] = ['evaluator', 'admin', 'duty_manager'];

const scoreCardRequest: RequestDef<typeof ScoreCardRequest, ScoreCardResult, HubServices> = {
  name: 'score:card', schema: ScoreCardRequest, roles: RECORD_READERS,
  handle: ({ db, services, now }, req) => ({ ok: true, result: scoreCard(db, { ...req, now }, services.evaluation.scorecard) }),
};

const exportRequest: RequestDef<typeof ExportRequest, ExportResult, HubServices> = {
  name: 'audit:export', schema: ExportRequest, roles: RECORD_READERS,
  handle: async ({ db, services, actor }, req: z.output<typeof ExportRequest>) => {
    const { timeZone, dataDir, scorecard, log } = services.evaluation;
    const chain = chainForExport(await sharedVerify(db), dataDir, log);
    const now = Date.now();
    let body: string | Buffer;
    let rows: number;
    let truncated = false;
    if (req.what === 'scorecard') {
      const card = scoreCard(db, { from: req.from, to: req.to, now }, scorecard);
      body = req.format === 'csv' ? scorecardCsv(card, chain, req.lang, timeZone) : await scorecardPdf(card, chain, req.lang, timeZone, now);
      rows = card.indicators.length;
    } else {
      const { what: _w, format: _f, lang: _l, ...filter } = req;
      const got = timelineRows(db, filter);
      rows = got.entries.length;
      truncated = got.truncated;
      const filters = Object.entries(filter).filter(([k]) => k !== 'from' && k !== 'to').map(([k, v]) => `${k}=${String(v)}`).join(' ');
      body = req.format === 'csv' ? timelineCsv(got.entries, chain, req.lang, timeZone) : await timelinePdf(got.entries, truncated, chain, req.lang, timeZone, { from: req.from, to: req.to, filters }, now);
    }
    const fileName = `xiuhua-${req.what}-${centerDay(req.from, timeZone)}_${centerDay(req.to - 1, timeZone)}.${req.format}`;
    const { what, format, from, to } = req;
    db.transaction(() => appendAudit(db, {
      actor: actor.id, role: actor.role, action: 'audit:export', target: null,
      payload: { what, format, from, to, rows, truncated, head: { count: chain.count, hash: chain.headHash, ok: chain.ok }, checkpoint: chain.checkpoint },
      outcome: 'accepted', reason: null, at: now,
    }))();
    const data = typeof body === 'string' ? Buffer.from(body, 'utf8').toString('base64') : body.toString('base64');
    return { ok: true, result: { fileName, mime: req.format === 'csv' ? 'text/csv' : 'application/pdf', data, rows, truncated, chain } };
  },
};

/** Route coverage and cell dwell per shift period, as kept; what the watch holds in memory is written first. */
const coverageRequest: RequestDef<typeof CoverageRequest, CoverageResult, HubServices> = {
  name: 'score:coverage', schema: CoverageRequest, roles: RECORD_READERS,
  handle: ({ db, services }, req) => {
    services.coverage.flush();
    const q = { from: req.from, to: req.to, unitId: req.unitId ?? null, limit: COVERAGE_ROWS_MAX + 1 };
    const routes = routeCoverageIn(db, q);
    const dwell = dwellIn(db, q);
    return {
      ok: true,
      result: {
        routes: routes.slice(0, COVERAGE_ROWS_MAX).map(({ visited: _v, ...r }) => ({ ...r, share: r.driven / r.pieces })),
        dwell: dwell.slice(0, COVERAGE_ROWS_MAX).map((d) => ({ ...d, assigned: d.assigned === 1 })),
        truncated: routes.length > COVERAGE_ROWS_MAX || dwell.length > COVERAGE_ROWS_MAX,
      },
    };
  },
};

/**
 * A chain check that held is signed and recorded (`audit:checkpoint`, by whoever asked): what an evaluator
 * checked is itself on the record, and the console lists the line and re-checks its signature itself.
 */
export async function verifyAndRecord(db: Db, services: HubServices, actor: Actor): Promise<AuditVerifyResult> {
  const verified = await sharedVerify(db);
  if (!verified.ok) return { ...verified, checkpoint: null };
  const { dataDir, log } = services.evaluation;
  const { checkpoint } = chainForExport(verified, dataDir, log);
  if (checkpoint) {
    db.transaction(() => appendAudit(db, {
      actor: actor.id, role: actor.role, action: 'audit:checkpoint', target: null,
      payload: { count: verified.count, head: verified.headHash, checkpoint }, outcome: 'accepted', reason: null, at: Date.now(),
    }))();
  }
  return { ...verified, checkpoint };
}

const checkpointsRequest: RequestDef<typeof CheckpointsRequest, CheckpointsResult, HubServices> = {
  name: 'audit:checkpoints', schema: CheckpointsRequest, roles: RECORD_READERS,
  handle: ({ db, services }, req) => ({
    ok: true, result: { publicKey: dataDirPublicKey(services.evaluation.dataDir), checkpoints: recentCheckpoints(db, req.limit ?? 50) },
  }),
};

/** The stored entries, for a console that re-checks the chain itself rather than take the hub's word. */
const rawRequest: RequestDef<typeof AuditRawRequest, AuditRawResult, HubServices> = {
  name: 'audit:raw', schema: AuditRawRequest, roles: RECORD_READERS,
  handle: ({ db }, req) => ({ ok: true, result: { entries: auditRawPage(db, req.afterSeq, req.limit ?? AUDIT_RAW_PAGE_MAX) } }),
};

export function evaluationReads(): RequestTable<HubServices> {
  return { 'score:card': scoreCardRequest, 'score:coverage': coverageRequest, 'audit:export': exportRequest, 'audit:raw': rawRequest, 'audit:checkpoints': checkpointsRequest };
}
