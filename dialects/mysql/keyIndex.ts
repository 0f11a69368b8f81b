import type { ColumnInfo, UnindexableKey } from '../types';

/**
 * TEXT and BLOB columns (JSON is LONGTEXT in MariaDB) cannot carry a plain
 * unique B-tree index: MariaDB 10.4+ turns `CREATE UNIQUE INDEX` on one into
 * a `USING HASH` long unique index, which enforces uniqueness but which the
 * optimizer never uses to look a key up, so each slice's joins on the key
 * scan the whole target (MySQL 8 refuses the index outright, error 1170). A
 * VARCHAR/VARBINARY key takes a B-tree index: with utf8mb4, up to 768
 * characters fit InnoDB's 3072-byte key limit.
 */
const LARGE_OBJECT = /^(tiny|medium|long)?(text|blob)\b|^json\b/i;

/** `quotedColumn` and `quotedTarget` come quoted by the dialect. */
export function largeObjectKey(column: ColumnInfo, quotedColumn: string, quotedTarget: string): UnindexableKey | undefined {
  const m = LARGE_OBJECT.exec(column.type.trim());
  if (!m) return undefined;
  const binary = /blob/i.test(m[2] ?? '');
  const type = binary ? 'VARBINARY(255)' : 'VARCHAR(255)';
  return {
    reason:
      `the key column ${column.name} is ${column.type}: a unique index on it is a HASH index on MariaDB (MySQL refuses it), ` +
      'which lookups by key cannot use, so every slice would scan the whole target and slow down as it grows',
    fix: `ALTER TABLE ${quotedTarget} MODIFY ${quotedColumn} ${type}${column.nullable ? '' : ' NOT NULL'}`,
    note: `make 255 at least the longest key; up to ${binary ? '3072 bytes' : '768 characters with utf8mb4'} fit a B-tree index`,
  };
}
