/**
 * xacct-widgets: the active AWS role of the focused notebook's kernel in the status bar.
 *
 * The kernel's switcher (xacct_widgets.widgets.lab_status) opens a comm on target
 * `xacct_widgets.status` and sends its state on every switch and Back; this plugin keeps the
 * last state per kernel, shows the focused notebook's, and sends the menu's actions back. No
 * polling: nothing is asked of a kernel until the operator clicks. Without a status bar
 * (Notebook 7, Voila) it does nothing: the inline bar stays where it is.
 */

import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { Kernel, KernelMessage } from '@jupyterlab/services';
import { IStatusBar } from '@jupyterlab/statusbar';
import { Menu } from '@lumino/widgets';

import { RoleStatusItem } from './item';
import { IReceived, IRoleEntry, IStatus, TARGET, receive } from './state';

const PLUGIN = 'xacct-widgets:active-role';
const CMD_BACK = 'xacct-widgets:back';
const CMD_SWITCH = 'xacct-widgets:switch';
const CMD_REFRESH = 'xacct-widgets:refresh';
const CMD_HEADING = 'xacct-widgets:heading';

/** The last state of each kernel (by kernel id) and the comm to answer it on. */
class KernelStates {
  readonly states = new Map<string, IReceived>();
  private readonly comms = new Map<string, Kernel.IComm>();
  private readonly watched = new WeakSet<Kernel.IKernelConnection>();

  constructor(private readonly changed: (kernelId: string) => void) {}

  watch(kernel: Kernel.IKernelConnection | null | undefined): void {
    if (!kernel || this.watched.has(kernel)) {
      return;
    }
    this.watched.add(kernel);
    kernel.registerCommTarget(TARGET, (comm, msg) => {
      this.adopt(kernel, comm);
      this.take(kernel.id, msg.content.data);
    });
    // A kernel that already has a switcher (a reloaded page, a notebook opened on a running
    // kernel): its comm is open already; ask it once for its state.
    kernel
      .requestCommInfo({ target_name: TARGET })
      .then(reply => {
        const content = reply.content as { comms?: Record<string, unknown> };
        const ids = Object.keys(content.comms ?? {});
        const id = ids[ids.length - 1];
        if (id && !this.comms.has(kernel.id) && !kernel.hasComm(id)) {
          const comm = kernel.createComm(TARGET, id);
          this.adopt(kernel, comm);
          comm.send({ action: 'refresh' });
        }
      })
      .catch(() => undefined);
    kernel.statusChanged.connect((_k, status) => {
      // A restarted kernel has no switcher until a cell makes one: show nothing meanwhile.
      if (['restarting', 'autorestarting', 'dead'].includes(status)) {
        this.forget(kernel.id);
      }
    });
    kernel.disposed.connect(() => this.forget(kernel.id));
  }

  private adopt(kernel: Kernel.IKernelConnection, comm: Kernel.IComm): void {
    this.comms.set(kernel.id, comm);
    comm.onMsg = (m: KernelMessage.ICommMsgMsg) => this.take(kernel.id, m.content.data);
    comm.onClose = () => {
      if (this.comms.get(kernel.id) === comm) {
        this.comms.delete(kernel.id);
      }
    };
  }

  send(kernelId: string, action: Record<string, string>): void {
    const comm = this.comms.get(kernelId);
    if (comm && !comm.isDisposed) {
      comm.send(action);
    }
  }

  private forget(kernelId: string): void {
    this.comms.delete(kernelId);
    if (this.states.delete(kernelId)) {
      this.changed(kernelId);
    }
  }

  private take(kernelId: string, data: unknown): void {
    const message = data as { type?: string; state?: IStatus | null };
    if (message?.type !== 'state') {
      return;
    }
    if (message.state) {
      this.states.set(kernelId, receive(message.state));
    } else {
      this.states.delete(kernelId);
    }
    this.changed(kernelId);
  }
}

function kernelOf(panel: NotebookPanel | null): Kernel.IKernelConnection | null {
  return panel?.sessionContext.session?.kernel ?? null;
}

const plugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN,
  description: 'The active AWS role of the focused notebook kernel, in the status bar.',
  autoStart: true,
  requires: [INotebookTracker],
  optional: [IStatusBar],
  activate: (
    app: JupyterFrontEnd,
    tracker: INotebookTracker,
    statusBar: IStatusBar | null
  ) => {
    if (!statusBar) {
      return;
    }
    const current = (): Kernel.IKernelConnection | null =>
      kernelOf(tracker.currentWidget);
    const redraw = (): void => {
      const kernel = current();
      item.showState(kernel ? states.states.get(kernel.id) ?? null : null);
    };
    const states = new KernelStates(kernelId => {
      if (current()?.id === kernelId) {
        redraw();
      }
    });
    const menu = new Menu({ commands: app.commands });
    menu.addClass('xacct-status-menu');
    const item = new RoleStatusItem(it => {
      const kernel = current();
      if (!kernel) {
        return;
      }
      states.send(kernel.id, { action: 'refresh' }); // the time and identity, re-read once
      buildMenu(menu, it.received);
      const box = it.node.getBoundingClientRect();
      menu.open(box.left, box.top, { forceY: false });
      // Upwards from the status bar, as Lumino places a menu (by its transform).
      const height = menu.node.getBoundingClientRect().height;
      const top = Math.max(0, Math.round(box.top - height));
      menu.node.style.transform = `translate(${Math.max(0, Math.round(box.left))}px, ${top}px)`;
    });

    const sendToCurrent = (action: Record<string, string>): void => {
      const kernel = current();
      if (kernel) {
        states.send(kernel.id, action);
      }
    };
    app.commands.addCommand(CMD_BACK, {
      label: args => `Back to ${String(args.base ?? 'your user')}`,
      isEnabled: () => !!item.received?.status.active,
      execute: () => sendToCurrent({ action: 'back' })
    });
    app.commands.addCommand(CMD_SWITCH, {
      label: args => String(args.label ?? ''),
      execute: args => sendToCurrent({ action: 'switch', key: String(args.key) })
    });
    app.commands.addCommand(CMD_REFRESH, {
      label: 'Check the session again',
      execute: () => sendToCurrent({ action: 'refresh' })
    });
    app.commands.addCommand(CMD_HEADING, {
      label: args => String(args.label ?? ''),
      isEnabled: () => false,
      execute: () => undefined
    });

    const follow = (panel: NotebookPanel): void => {
      const context = panel.sessionContext;
      states.watch(kernelOf(panel));
      context.kernelChanged.connect((_c, change) => {
        states.watch(change.newValue);
        if (tracker.currentWidget === panel) {
          redraw();
        }
      });
      void context.ready.then(() => {
        states.watch(kernelOf(panel));
        if (tracker.currentWidget === panel) {
          redraw();
        }
      });
    };
    tracker.forEach(follow);
    tracker.widgetAdded.connect((_t, panel) => follow(panel));
    tracker.currentChanged.connect(redraw);

    statusBar.registerStatusItem(PLUGIN, {
      item,
      align: 'left',
      rank: 5,
      isActive: () => true
    });
    redraw();
  }
};

function entryItems(menu: Menu, heading: string, entries: IRoleEntry[]): void {
  if (!entries.length) {
    return;
  }
  menu.addItem({ type: 'separator' });
  menu.addItem({ command: CMD_HEADING, args: { label: heading } });
  for (const entry of entries) {
    const label = `${entry.label} — ${entry.role_name} @ ${entry.account}`;
    menu.addItem({ command: CMD_SWITCH, args: { key: entry.key, label } });
  }
}

function buildMenu(menu: Menu, received: IReceived | null): void {
  menu.clearItems();
  if (!received) {
    return;
  }
  const { status } = received;
  menu.addItem({ command: CMD_BACK, args: { base: status.base_name } });
  entryItems(menu, 'Recent roles', status.history);
  entryItems(menu, 'Bookmarks', status.bookmarks);
  menu.addItem({ type: 'separator' });
  menu.addItem({ command: CMD_REFRESH });
}

export default plugin;
