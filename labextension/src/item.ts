/**
 * The status-bar item: the active role of the focused notebook's kernel, as the console's
 * header shows it (display name, account, role, colour), with the time left; red when the
 * session is about to expire or the kernel's identity check disagrees; empty without a switcher.
 */

import { Widget } from '@lumino/widgets';

import {
  IReceived,
  cssColor,
  formatLeft,
  msLeft,
  warning,
  WARN_MS
} from './state';

export class RoleStatusItem extends Widget {
  constructor(onClick: (item: RoleStatusItem) => void) {
    super();
    this.addClass('xacct-status-item');
    this.node.title = '';
    this.node.dataset.xacctState = 'empty';
    this.node.addEventListener('click', () => {
      if (this._received) {
        onClick(this);
      }
    });
  }

  get received(): IReceived | null {
    return this._received;
  }

  /** Show a kernel's state (null: the kernel has no switcher, or is restarting). */
  showState(received: IReceived | null): void {
    this._received = received;
    this.render();
  }

  dispose(): void {
    this.clearTimer();
    super.dispose();
  }

  /** Redraw, and schedule the next redraw only while a countdown is shown (no kernel calls). */
  render(): void {
    this.clearTimer();
    const node = this.node;
    node.textContent = '';
    const received = this._received;
    if (!received) {
      node.dataset.xacctState = 'empty';
      node.title = '';
      node.classList.remove('xacct-status-warn');
      return;
    }
    const { status } = received;
    const active = status.active;
    const pill = document.createElement('span');
    pill.className = 'xacct-status-pill';
    const text = document.createElement('span');
    text.className = 'xacct-status-text';
    const left = msLeft(received);
    const why = warning(received);
    if (active) {
      const color = cssColor(active.color);
      if (color) {
        pill.style.background = color;
      }
      pill.textContent = active.display_name || active.role_name;
      const parts = [active.account, active.role_name];
      if (left !== null) {
        parts.push(formatLeft(left));
      }
      text.textContent = parts.join(' · ');
    } else {
      pill.textContent = status.base_name;
      pill.classList.add('xacct-status-base');
      text.textContent = 'no role active';
    }
    node.append(pill, text);
    node.dataset.xacctState = why ? 'warn' : 'ok';
    node.dataset.xacctAccount = active ? active.account : '';
    node.dataset.xacctRole = active ? active.role_name : '';
    node.dataset.xacctVersion = String(status.version);
    node.classList.toggle('xacct-status-warn', !!why);
    const lines = [
      active ? `${active.label}: ${active.identity_arn}` : `Signed in as ${status.base_name}`
    ];
    if (why) {
      lines.push(`Warning: ${why}`);
    }
    if (status.error) {
      lines.push(`Last action failed: ${status.error}`);
    }
    lines.push('Click: Back, recent roles, bookmarks');
    node.title = lines.join('\n');
    if (left !== null && left > 0) {
      // Next change of the text: the next minute, or the 5-minute mark if sooner.
      const toWarn = left - WARN_MS;
      const step = left < 60000 ? 1000 : 60000;
      const wait = toWarn > 0 ? Math.min(step, toWarn + 50) : step;
      this._timer = window.setTimeout(() => this.render(), wait);
    }
  }

  private clearTimer(): void {
    if (this._timer !== null) {
      window.clearTimeout(this._timer);
      this._timer = null;
    }
  }

  private _received: IReceived | null = null;
  private _timer: number | null = null;
}
