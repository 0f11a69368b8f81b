import { collectReport, type ReportData } from '../report/collect';
import { renderReportHtml } from '../report/html';
import { checkWritable, writeOutput } from './outputFile';
import type { CommandOptions } from './session';

export interface ReportOptions extends CommandOptions {
  /** The page to write. */
  html: string;
}

/** migrate report --html FILE: the migration on one self-contained page (report/html.ts). Read-only. */
export async function runReport(options: ReportOptions): Promise<ReportData> {
  checkWritable(options.html, '--html');
  const data = await collectReport(options);
  writeOutput(options.html, renderReportHtml(data), '--html');
  return data;
}
