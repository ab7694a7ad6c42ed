// One walk of the chain at a time per store, shared by everyone who asks while it runs: it yields to
// the event loop between slices, and fifty evaluators pressing "verify" (or exporting) must not start fifty walks.
import { verifyAuditInSlices } from '../store/audit';
import type { Db } from '../store/db';

const walks = new WeakMap<Db, ReturnType<typeof verifyAuditInSlices>>();

export function sharedVerify(db: Db): ReturnType<typeof verifyAuditInSlices> {
  let walk = walks.get(db);
  if (!walk) {
    walk = verifyAuditInSlices(db).finally(() => walks.delete(db));
    walks.set(db, walk);
  }
  return walk;
}
