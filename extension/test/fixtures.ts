// Static DOM fixtures modelled on the real pages (structure, roles, labels) in several languages.
type L = 'en' | 'de' | 'fr' | 'ja' | 'es';
const T: Record<L, Record<string, string>> = {
  en: { settings: 'Settings', account: 'Account', deleteAccount: 'Delete account', del: 'Delete', logout: 'Log out', logoutAll: 'Log out of all devices',
    data: 'Data controls', export: 'Export data', deleteAll: 'Delete all chats', deleteAllBtn: 'Delete all', archiveAll: 'Archive all chats', archiveAllBtn: 'Archive all',
    deleteChat: 'Delete', archiveChat: 'Archive', share: 'Share', rename: 'Rename', confirmTitle: 'Delete account - are you sure?',
    permanently: 'Permanently delete my account', typeDelete: 'To confirm, type "DELETE" in the box below', email: 'Your email', cancel: 'Cancel',
    privacyDelete: 'Delete my ChatGPT account', request: 'Make a Privacy Request', sora: 'Delete account',
    authDeleted: 'You do not have an account because it has been deleted or deactivated. If you believe this was a mistake, please contact us through our help center.' },
  de: { settings: 'Einstellungen', account: 'Konto', deleteAccount: 'Konto löschen', del: 'Löschen', logout: 'Abmelden', logoutAll: 'Von allen Geräten abmelden',
    data: 'Datenkontrollen', export: 'Daten exportieren', deleteAll: 'Alle Chats löschen', deleteAllBtn: 'Alle löschen', archiveAll: 'Alle Chats archivieren', archiveAllBtn: 'Alle archivieren',
    deleteChat: 'Löschen', archiveChat: 'Archivieren', share: 'Teilen', rename: 'Umbenennen', confirmTitle: 'Konto löschen – bist du sicher?',
    permanently: 'Mein Konto dauerhaft löschen', typeDelete: 'Gib zur Bestätigung „DELETE“ ein', email: 'Deine E-Mail', cancel: 'Abbrechen',
    privacyDelete: 'Mein ChatGPT-Konto löschen', request: 'Datenschutzanfrage stellen', sora: 'Konto löschen',
    authDeleted: 'Sie haben kein Konto, da es gelöscht oder deaktiviert wurde.' },
  fr: { settings: 'Paramètres', account: 'Compte', deleteAccount: 'Supprimer le compte', del: 'Supprimer', logout: 'Se déconnecter', logoutAll: 'Se déconnecter de tous les appareils',
    data: 'Contrôle des données', export: 'Exporter les données', deleteAll: 'Supprimer tous les chats', deleteAllBtn: 'Tout supprimer', archiveAll: 'Archiver tous les chats', archiveAllBtn: 'Tout archiver',
    deleteChat: 'Supprimer', archiveChat: 'Archiver', share: 'Partager', rename: 'Renommer', confirmTitle: 'Supprimer le compte – êtes-vous sûr ?',
    permanently: 'Supprimer définitivement mon compte', typeDelete: 'Pour confirmer, saisissez « DELETE »', email: 'Votre e-mail', cancel: 'Annuler',
    privacyDelete: 'Supprimer mon compte ChatGPT', request: 'Faire une demande', sora: 'Supprimer le compte',
    authDeleted: "Vous n'avez pas de compte, car il a été supprimé ou désactivé." },
  ja: { settings: '設定', account: 'アカウント', deleteAccount: 'アカウントを削除する', del: '削除する', logout: 'ログアウト', logoutAll: 'すべてのデバイスからログアウト',
    data: 'データコントロール', export: 'データをエクスポートする', deleteAll: 'すべてのチャットを削除する', deleteAllBtn: 'すべて削除', archiveAll: 'すべてのチャットをアーカイブする', archiveAllBtn: 'すべてアーカイブ',
    deleteChat: '削除する', archiveChat: 'アーカイブする', share: '共有する', rename: '名前を変更する', confirmTitle: 'アカウントを削除しますか？',
    permanently: 'アカウントを完全に削除する', typeDelete: '確認のため「DELETE」と入力してください', email: 'メールアドレス', cancel: 'キャンセル',
    privacyDelete: 'ChatGPTアカウントを削除する', request: 'プライバシーリクエスト', sora: 'アカウントを削除',
    authDeleted: 'アカウントが削除または無効化されているため、アカウントがありません。' },
  es: { settings: 'Configuración', account: 'Cuenta', deleteAccount: 'Eliminar cuenta', del: 'Eliminar', logout: 'Cerrar sesión', logoutAll: 'Cerrar sesión en todos los dispositivos',
    data: 'Controles de datos', export: 'Exportar datos', deleteAll: 'Eliminar todos los chats', deleteAllBtn: 'Eliminar todo', archiveAll: 'Archivar todos los chats', archiveAllBtn: 'Archivar todo',
    deleteChat: 'Eliminar', archiveChat: 'Archivar', share: 'Compartir', rename: 'Cambiar nombre', confirmTitle: 'Eliminar cuenta: ¿estás seguro?',
    permanently: 'Eliminar mi cuenta de forma permanente', typeDelete: 'Para confirmar, escribe "DELETE"', email: 'Tu correo', cancel: 'Cancelar',
    privacyDelete: 'Eliminar mi cuenta de ChatGPT', request: 'Hacer una solicitud', sora: 'Eliminar cuenta',
    authDeleted: 'No tienes una cuenta porque se ha eliminado o desactivado.' },
};

const row = (label: string, button: string, extra = ''): string =>
  `<div class="flex items-center justify-between border-b py-3"><div>${label}</div><button class="btn btn-secondary" ${extra}>${button}</button></div>`;

function settingsModal(l: L, tab: string, body: string): string {
  const t = T[l];
  return `<div role="dialog" aria-modal="true" data-state="open" class="settings"><h2>${t.settings}</h2>
    <div role="tablist"><button role="tab">General</button><button role="tab">${t.data}</button><button role="tab" aria-selected="${tab === 'account'}">${t.account}</button></div>
    <div role="tabpanel">${body}</div></div>`;
}

export function chatgptAccount(l: L): string {
  const t = T[l];
  return settingsModal(l, 'account', row('Plus', 'Manage') + row(t.logoutAll, t.logout)
    + row(t.deleteAccount, t.del, 'data-testid="delete-account-button"'));
}

export function chatgptConfirm(l: L): string {
  const t = T[l];
  return `<div role="dialog" data-testid="confirm-delete" data-state="open"><h2>${t.confirmTitle}</h2>
    <ul><li>Deleting your account is permanent and cannot be undone.</li></ul>
    <label>${t.email}<input type="email" placeholder="you@example.com"></label>
    <label>${t.typeDelete}<input type="text"></label>
    <button disabled>${t.permanently}</button><button>${t.cancel}</button></div>`;
}

export function chatgptDataControls(l: L, withOldDelete: boolean): string {
  const t = T[l];
  return settingsModal(l, 'data', row(t.export, 'Export') + row(t.archiveAll, t.archiveAllBtn) + row(t.deleteAll, t.deleteAllBtn)
    + (withOldDelete ? row(t.deleteAccount, t.del) : ''));
}

export function chatgptChat(l: L): string {
  const t = T[l];
  return `<nav><ol><li><a href="/c/1">Trip plan</a><button aria-label="Open conversation options">…</button></li></ol></nav>
    <div role="menu"><div role="menuitem">${t.share}</div><div role="menuitem">${t.rename}</div>
    <div role="menuitem">${t.archiveChat}</div><div role="menuitem">${t.deleteChat}</div></div>
    <div role="dialog"><h2>${t.deleteChat}?</h2><p>This will delete <strong>Trip plan</strong>.</p><button>${t.deleteChat}</button><button>${t.cancel}</button></div>
    <main><button>${t.deleteAll}</button><button>${t.archiveAll}</button></main>`;
}

export function privacyPortal(l: L, form: boolean): string {
  const t = T[l];
  const options = `<div role="dialog"><h2>${t.request}</h2><div role="radiogroup">
    <div role="radio" aria-checked="false">Download my data</div><div role="radio" aria-checked="false">${t.privacyDelete}</div></div></div>`;
  const formHtml = `<div role="dialog"><h2>${t.privacyDelete}</h2><label>Email<input type="email" autocomplete="email"></label><button>Send</button></div>`;
  return `<header><button>${t.request}</button></header>${form ? formHtml : options}`;
}

export function platformKeys(dialog: boolean): string {
  const rows = ['sk-proj-...a1B2', 'sk-...Z9y8'].map((k) => `<tr><td>prod</td><td>${k}</td><td>Nov 20, 2026</td>
    <td><button aria-label="Edit key">✎</button><button aria-label="Revoke key"><svg></svg></button></td></tr>`).join('');
  return `<h1>API keys</h1><table>${rows}</table>`
    + (dialog ? '<div role="dialog"><h2>Revoke secret key</h2><p>This API key will immediately be disabled.</p><button>Cancel</button><button>Revoke key</button></div>' : '');
}

export function platformProject(): string {
  return `<h1>General</h1><div><label>Project name<input value="prod"></label></div>
    <section><h3>Archive project</h3><p>Archived projects are read-only.</p><button>Archive</button></section>`;
}

export function soraSettings(l: L, dialog: boolean): string {
  const t = T[l];
  return `<div role="dialog"><h2>Settings</h2>${row('Account', t.sora)}</div>`
    + (dialog ? `<div role="alertdialog"><h2>${t.sora}?</h2><p>This will permanently delete all of your data across ChatGPT and Sora. You cannot reuse the same email or phone number. API access will also be deleted.</p>
      <p>Type DELETE to confirm</p><input type="text"><button>Permanently delete my account</button></div>` : '');
}

export function authDeleted(l: L): string {
  return `<main><img alt="OpenAI"><h1>Oops!</h1><div class="error" role="alert"><p>${T[l].authDeleted}</p></div><a href="/log-in">Try again</a></main>`;
}

export function authOk(): string {
  return '<main><h1>Welcome back</h1><label>Email address<input type="email"></label><button>Continue</button></main>';
}
