import { preimageTableRef } from '../plan/preimages';
import { formatCatalog } from '../catalog/file';
import { archiveNameFor } from '../plan/retire';
import { RecordingReads } from '../catalog/recordingReads';
import { usageError } from '../errors';
import { count } from '../plural';
import { writeOutput } from './outputFile';
import { type CommandOptions, withSession } from './session';

export interface CatalogOptions extends CommandOptions {
  /** The catalog file to write (.json: JSON; otherwise YAML). */
  out?: string;
}

/**
 * migrate catalog --out FILE: reads, on a live connection, everything the
 * commands plan from (each table the config names, the ledger's state, the
 * dlt dataset, legacy's profile, the server's traits) through the same reads
 * the commands use, and writes what they answered. `--dry-run --catalog FILE`
 * then prints the same plans with no connection. Changes nothing.
 */
export async function runCatalog(options: CatalogOptions): Promise<void> {
  const out = options.out;
  if (!out) throw usageError('BAD_FLAG', 'migrate catalog needs --out FILE', 'e.g. migrate catalog --out catalog.json (.json writes JSON, anything else YAML)');
  if (options.catalog) throw usageError('BAD_FLAG', 'migrate catalog reads the warehouse; --catalog has nothing to add', 'drop --catalog');
  await withSession('catalog', { ...options, dryRun: false }, { readOnly: true, record: { file: out } }, async (s) => {
    const reads = s.reads as RecordingReads;
    for (const table of s.tables) {
      // The ledger first (it also checks the table id is this config's), then the tables as the commands ask for them.
      const state = await s.state(table);
      await reads.validations(table.id);
      await reads.undoWindows(table.id);
      // The backfill creates its pre-image table where there is none yet (plan/preimages.ts).
      await reads.introspect(preimageTableRef({ table, dialect: s.dialect }, s.config.stateSchema), table.id);
      await reads.introspect(table.target);
      await reads.introspect(table.view);
      // An interrupted retire, or retire --drop, asks for the archive the ledger names.
      if (state.archiveName) await reads.introspect({ schema: table.legacy.schema, name: state.archiveName });
      if (!(await reads.introspect(table.legacy))) continue;
      // Alignment, the dlt dataset, view grants and the zone, as every command's context reads them; then what windows are computed from.
      const ctx = await s.context(table, { quiet: true });
      await reads.legacyProfile(ctx);
      // retire (after cutover) asks whether today's archive name is free: recorded for a dry run on the day the catalog was written.
      await reads.introspect({ schema: ctx.legacy.ref.schema, name: archiveNameFor(ctx.legacy.ref, s.run.startedAt, s.dialect) }, table.id);
    }
    writeOutput(out, formatCatalog(reads.catalog, out), '--out');
    s.log(`catalog of ${count(s.tables.length, 'configured table')} (${count(reads.catalog.tables.size, 'table name')}) written to ${out}; plan from it with --dry-run --catalog ${out}`);
  });
}
