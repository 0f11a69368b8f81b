import { z } from 'zod';
import { didYouMean } from './didYouMean';

/** A schema message: what is wrong, then (after a newline) what to write instead. */
export const withHint = (message: string, hint?: string) => (hint ? `${message}\n${hint}` : message);

/** One problem in a config, in the tool's one-line form: `migrate.yaml: tables.orders.key is missing or not a string`. */
export interface ConfigProblem {
  message: string;
  hint?: string;
}

/** `tables.orders.key[0]` from zod's path. */
export function pathText(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('');
}

/**
 * Every problem zod found, in the tool's words. A union (a column given as a name or as a mapping) reports the
 * problems of the branch the value was meant for, so `{from: x, form: y}` says "unknown key form", not "not a
 * string"; an unknown key names the key it was probably meant to be.
 */
export function configProblems(error: z.ZodError, file: string, schema: z.ZodType): ConfigProblem[] {
  return error.issues.flatMap((issue) => problemsOf(issue as Issue, [], file, schema));
}

type Issue = z.core.$ZodIssue;

function problemsOf(issue: Issue, prefix: PropertyKey[], file: string, schema: z.ZodType): ConfigProblem[] {
  const path = [...prefix, ...issue.path];
  const where = path.length ? `${file}: ${pathText(path)}` : file;
  if (issue.code === 'invalid_union') {
    // The branch whose type the value has (no type mismatch at its root) is the one the author meant.
    const meant = issue.errors.find((branch) => !branch.some((i) => i.code === 'invalid_type' && i.path.length === 0));
    if (meant) return meant.flatMap((i) => problemsOf(i, path, file, schema));
  }
  // A record's key that breaks its rule (a table id with '@'): the key's own message, at the key.
  if (issue.code === 'invalid_key') return issue.issues.flatMap((i) => problemsOf({ ...i, path: [] } as Issue, path, file, schema));
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeys(schema, path);
    return issue.keys.map((key) => ({ message: `${where} has an unknown key "${key}"${didYouMean(key, known)}`, hint: `known keys: ${known.join(', ')}` }));
  }
  const [message, hint] = splitHint(issue.message);
  const didYou = issue.code === 'custom' ? (issue.params as { didYouMean?: { word: string; among: string[] } } | undefined)?.didYouMean : undefined;
  return [{ message: `${where} ${message}${didYou ? didYouMean(didYou.word, didYou.among) : ''}`, hint: hint ?? 'see README, "Config reference"' }];
}

function splitHint(message: string): [string, string | undefined] {
  const cut = message.indexOf('\n');
  return cut < 0 ? [message, undefined] : [message.slice(0, cut), message.slice(cut + 1)];
}

/** The keys the object at `path` accepts, found by walking the schema (records, optional values, unions). */
export function knownKeys(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let at: z.ZodType[] = [schema];
  for (const step of path) at = at.flatMap((s) => childrenOf(s, step));
  return [...new Set(at.flatMap((s) => objectsOf(s).flatMap((o) => Object.keys(o.shape))))];
}

/** The schemas a value at `step` below `schema` may be checked against. */
function childrenOf(schema: z.ZodType, step: PropertyKey): z.ZodType[] {
  return objectsOrRecords(schema).flatMap((s) => {
    if (s instanceof z.ZodObject) return step in s.shape ? [s.shape[step as string] as z.ZodType] : [];
    if (s instanceof z.ZodRecord) return [s.valueType as z.ZodType];
    if (s instanceof z.ZodArray) return [s.element as z.ZodType];
    return [];
  });
}

function objectsOf(schema: z.ZodType): z.ZodObject[] {
  return objectsOrRecords(schema).filter((s): s is z.ZodObject => s instanceof z.ZodObject);
}

/** Unwraps optional, nullable and unions down to the containers a path can step into. */
function objectsOrRecords(schema: z.ZodType): z.ZodType[] {
  if (schema instanceof z.ZodOptional || schema instanceof z.ZodNullable) return objectsOrRecords(schema.unwrap() as z.ZodType);
  if (schema instanceof z.ZodUnion) return (schema.options as z.ZodType[]).flatMap(objectsOrRecords);
  if (schema instanceof z.ZodPipe) return objectsOrRecords(schema.in as z.ZodType);
  return [schema];
}
