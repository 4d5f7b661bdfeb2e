/** What the marketing guest handlers need. */
import type { Marketing } from './marketing.ts';

/** What the marketing handlers need. */
export interface MarketingHandlerDeps {
  marketing: Marketing;
}
