/** The generated capability catalog, as `/api/catalog` serves it, for tests. */
import json from '../../../capabilities/generated/catalog.json';
import type { Catalog } from '../api/catalog.ts';

export const CATALOG = json as unknown as Catalog;
