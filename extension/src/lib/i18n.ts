// Fills [data-i18n] elements of extension pages from _locales.
import { api } from './browser';

export function t(key: string, subs?: string[]): string {
  return api.i18n.getMessage(key, subs) || key;
}

export function localize(root: ParentNode): void {
  for (const el of Array.from(root.querySelectorAll<HTMLElement>('[data-i18n]'))) {
    el.textContent = t(el.dataset.i18n!);
  }
  document.documentElement.lang = api.i18n.getUILanguage();
}
