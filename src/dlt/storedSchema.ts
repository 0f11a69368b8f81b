import * as zlib from 'node:zlib';

/**
 * dlt's stored schema, as `_dlt_version.schema` holds it: the schema's JSON,
 * or, when longer than the destination's text limit, base64 of its
 * zlib-compressed JSON (dlt/destinations/job_client_impl.py, dlt 1.26).
 */
export interface StoredSchema {
  name: string;
  version_hash?: string;
  tables: Record<string, { name?: string; write_disposition?: string; parent?: string; [hint: string]: unknown }>;
  [key: string]: unknown;
}

/** Decodes one `_dlt_version.schema` value; undefined when it is neither form (the row is then not used). */
export function decodeStoredSchema(text: string): StoredSchema | undefined {
  const parsed = decodeDltJson(text) as StoredSchema | undefined;
  return parsed && typeof parsed === 'object' && parsed.tables && typeof parsed.tables === 'object' ? parsed : undefined;
}

/**
 * A JSON document as dlt stores it in a text column: plain, or base64 of zlib-compressed JSON (the stored
 * schema when long, `_dlt_pipeline_state.state` always); undefined when it is neither.
 */
export function decodeDltJson(text: string): unknown {
  const trimmed = text.trim();
  try {
    return JSON.parse(trimmed.startsWith('{') ? trimmed : zlib.inflateSync(Buffer.from(trimmed, 'base64')).toString('utf8'));
  } catch {
    return undefined;
  }
}
