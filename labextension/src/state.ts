/**
 * The state a kernel publishes over the `xacct_widgets.status` comm, and how it reads.
 *
 * Kept apart from the widget so the rules (time left on the kernel's clock, when the item turns
 * red) are in one small place. The kernel sends `now` with every state: time left is counted
 * on the kernel's clock (a sandbox's clock may run ahead of real time), shifted by the time the
 * message took to arrive, never by polling the kernel.
 */

/** The comm target the kernel opens (xacct_widgets/widgets/lab_status.py). */
export const TARGET = 'xacct_widgets.status';

/** Under this much time left the item turns red (the console warns about as early). */
export const WARN_MS = 5 * 60 * 1000;

export interface IRoleEntry {
  key: string;
  label: string;
  account: string;
  role_name: string;
  color: string | null;
}

export interface IActive {
  label: string;
  display_name: string | null;
  account: string;
  role_name: string;
  color: string | null;
  expiration: string | null;
  identity_arn: string;
}

export interface IIdentityCheck {
  /** true: the kernel's session is who the item shows; false: it is not (or the check failed). */
  ok: boolean | null;
  detail: string;
}

export interface IStatus {
  version: number;
  base_name: string;
  active: IActive | null;
  now: string;
  identity: IIdentityCheck;
  history: IRoleEntry[];
  bookmarks: IRoleEntry[];
  error: string | null;
}

/** A state as received: with the offset between the kernel's clock and this browser's. */
export interface IReceived {
  status: IStatus;
  skewMs: number;
}

export function receive(status: IStatus): IReceived {
  const kernelNow = Date.parse(status.now);
  return { status, skewMs: Number.isNaN(kernelNow) ? 0 : kernelNow - Date.now() };
}

/** Milliseconds left on the active role's credentials, on the kernel's clock; null if unknown. */
export function msLeft(received: IReceived): number | null {
  const active = received.status.active;
  if (!active || !active.expiration) {
    return null;
  }
  const expires = Date.parse(active.expiration);
  return Number.isNaN(expires) ? null : expires - (Date.now() + received.skewMs);
}

export function formatLeft(ms: number): string {
  if (ms <= 0) {
    return 'expired';
  }
  const minutes = Math.floor(ms / 60000);
  if (minutes < 1) {
    return `${Math.ceil(ms / 1000)} s left`;
  }
  if (minutes < 60) {
    return `${minutes} min left`;
  }
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min left`;
}

/** Why the item is red, or '' when it is not. */
export function warning(received: IReceived): string {
  const { status } = received;
  if (status.identity.ok === false) {
    return status.identity.detail || 'the kernel is not acting as the role shown';
  }
  const left = msLeft(received);
  if (left !== null && left < WARN_MS) {
    return left <= 0 ? 'the session has expired' : 'the session expires in under 5 minutes';
  }
  return '';
}

/** A CSS colour from the console's 6-hex-digit colour, or null. */
export function cssColor(color: string | null): string | null {
  return color && /^[0-9a-fA-F]{6}$/.test(color) ? `#${color}` : null;
}
