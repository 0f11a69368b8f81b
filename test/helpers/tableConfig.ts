import type { TableConfig } from '../../src/config/types';
import { DEFAULT_VERIFY } from '../../src/verify/settings';

/** An orders table as a config loads it (erp.orders into dlt.orders, key id, cursor created_at), for tests that plan offline. */
export function ordersTableConfig(overrides: Partial<TableConfig> = {}): TableConfig {
  return {
    id: 'orders',
    legacy: { schema: 'erp', name: 'orders' },
    target: { schema: 'dlt', name: 'orders' },
    view: { schema: 'dw', name: 'orders' },
    key: ['id'],
    cursor: 'created_at',
    legacyTimezone: 'UTC',
    dlt: {},
    columns: {},
    verify: DEFAULT_VERIFY,
    ...overrides,
  };
}
