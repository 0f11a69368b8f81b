/** Columns dlt adds to every table it loads. Theseus fills them for backfilled rows and never compares them. */
export const DLT_LOAD_ID = '_dlt_load_id';
export const DLT_ID = '_dlt_id';
export const DLT_COLUMNS: readonly string[] = [DLT_LOAD_ID, DLT_ID];

export const isDltColumn = (name: string) => DLT_COLUMNS.includes(name.toLowerCase());

/** The column the stitched view adds to say where each row comes from. */
export const SOURCE_FLAG = 'source_flag';
export const FLAG_LEGACY = 'legacy';
export const FLAG_DLT = 'dlt';
