// The one i18n helper: messages from _locales, and [data-i18n] elements of extension pages.
import { api } from './browser';

/** The message, or `fallback` (default: the key) when the locale files lack it. */
export function t(key: string, subs?: string[], fallback = key): string {
  return api.i18n.getMessage(key, subs) || fallback;
}

/** Snapshot UI strings are the `snap_<key>` messages. */
export function snapText(key: string, subs: string[] = []): string {
  return t(`snap_${key}`, subs, key);
}

export function localize(root: ParentNode): void {
  for (const el of Array.from(root.querySelectorAll<HTMLElement>('[data-i18n]'))) {
    el.textContent = t(el.dataset.i18n!);
  }
  document.documentElement.lang = api.i18n.getUILanguage();
}
