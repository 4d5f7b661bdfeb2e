/**
 * The consent sheet's data, as the server answers `GET /api/consents/sheet` and every host (the
 * bank app, the headless host) shows it: what the app asks for and why, from the server, never
 * from the mini-app.
 */
import type { Bilingual } from './text.ts';

/** What the consent sheet shows. */
export interface ConsentSheetData {
  appId: string;
  appName: string;
  appIcon: string;
  /** The scope id, e.g. `scope.location`. */
  scope: string;
  /** The scope's title in English and Chinese. */
  title: string;
  titleZh: string;
  /** What is shared. */
  description: Bilingual;
  /** Why the platform lets mini-apps ask for it (the capability's purpose). */
  purpose: Bilingual;
  /** The app's own reasons, from its manifest (in the merchant's words). */
  reasons: string[];
}
