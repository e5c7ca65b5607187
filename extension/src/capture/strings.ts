// English strings of the snapshot UI. A `snap_<key>` message in _locales overrides each one, so
// translations can be added without touching this file.
import { api } from '../lib/browser';

const EN: Record<string, string> = {
  category_label: 'Category',
  category_auto: 'Automatic',
  consent_training: 'Consent & training opt-out',
  account_status: 'Account status & settings',
  uploads: 'Uploads',
  moderation: 'Moderation, bans & appeals',
  api_dashboard: 'API dashboard',
  other: 'Other',
  capturing: 'Capturing the page…',
  screenshots: 'Taking screenshots…',
  uploading: 'Storing… $1',
  done: 'Stored as $1',
  failed: 'Snapshot failed: $1',
  none: 'No snapshots yet.',
  list_failed: 'Snapshots unavailable: $1',
  opt_auto: 'Capture automatically when a destructive confirmation opens or the "deleted or deactivated" sign-in error appears',
  opt_mask_emails: 'Mask email addresses in snapshots',
  opt_mask_phones: 'Mask phone numbers in snapshots',
  opt_fullpage: 'Full-page screenshots (Chromium scrolls the page while it captures)',
  opt_all_urls: 'Allow screenshots for banner and automatic snapshots',
  opt_all_urls_why: 'A click on the page\'s "Snapshot first" button and automatic captures are not clicks on Ringfence\'s toolbar button, and the browser only allows screenshots without such a click when the extension may read all sites. Ringfence uses this only to take a screenshot of the tab you are on when a snapshot runs; nothing is ever sent anywhere. Without it those snapshots store everything except the screenshots; the keyboard shortcut always takes a full snapshot.',
  opt_page_capture: 'Also save the page as MHTML (Chromium)',
  opt_page_capture_why: 'MHTML keeps the page with its images and styles in one file, as the browser saves it. The browser asks for the "pageCapture" permission once.',
  opt_granted: 'Allowed',
  opt_grant: 'Allow',
  opt_revoke: 'Remove',
  hint: 'Snapshot stored without screenshots. For a full capture press $1, or allow screenshots in Ringfence\'s options.',
};

export function s(key: string, subs: string[] = []): string {
  const fromLocale = api.i18n.getMessage(`snap_${key}`, subs);
  if (fromLocale) return fromLocale;
  return subs.reduce((acc, v, i) => acc.replace(`$${i + 1}`, v), EN[key] ?? key);
}
