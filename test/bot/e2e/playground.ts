import { ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import WebSocket from 'ws';

const CLI = join(__dirname, '../../../node_modules/@microsoft/m365agentsplayground/cli.js');
const PRELOAD = join(__dirname, 'loopback-preload.js');

export interface PlaygroundUser {
  id: string;
  name: string;
  aadObjectId: string;
  email: string;
}

/** One message as the emulator's UI stream shows it. */
export interface StreamMessage {
  action: 'createMessage' | 'updateMessage' | string;
  conversationId?: string;
  id?: string;
  from?: string;
  text?: string;
  attachments?: Array<{ contentType: string; content: Record<string, unknown> }>;
  raw: unknown;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function yamlUser(u: PlaygroundUser, indent: string): string {
  const [given, ...rest] = u.name.split(' ');
  return [
    `id: ${u.id}`,
    `name: ${u.name}`,
    `userPrincipleName: ${u.email}`,
    `aadObjectId: ${u.aadObjectId}`,
    `givenName: ${given}`,
    `surname: ${rest.join(' ') || given}`,
    `email: ${u.email}`,
  ]
    .map((line, i) => (i === 0 ? line : indent + line))
    .join('\n');
}

/** The emulator's YAML config for one person: exactly five other users, fixed chat ids. */
export function playgroundConfig(
  me: PlaygroundUser,
  others: PlaygroundUser[],
  chatId: string,
  tenantId: string,
): string {
  if (others.length !== 5) throw new Error('the emulator needs exactly 5 other users');
  return [
    'version: "0.1.1"',
    `tenantId: ${tenantId}`,
    'bot:',
    `  id: ${BOT_ID}`,
    '  name: Mesa de Servicio CJPF',
    'currentUser:',
    `  ${yamlUser(me, '  ')}`,
    'users:',
    ...others.map((u) => `  - ${yamlUser(u, '    ')}`),
    'personalChat:',
    `  id: ${chatId}`,
    'groupChat:',
    `  id: group-${chatId}`,
    '  name: Grupo',
    'team:',
    `  id: team-${chatId}`,
    '  name: Equipo',
    '  aadGroupId: 0a0a0a0a-0000-4000-8000-000000000031',
    '  channels:',
    `    - id: channel-${chatId}`,
    '      name: Avisos',
    '',
  ].join('\n');
}

/**
 * One instance of Microsoft's Teams emulator (M365 Agents Playground) emulating one person's
 * 1:1 chat with the bot, bound to 127.0.0.1, with its own config, port and service URL.
 * Messages the bot sends (and card updates) are collected from the UI's WebSocket stream.
 */
export class Playground {
  readonly messages: StreamMessage[] = [];
  private child?: ChildProcess;
  private exited: Promise<void> = Promise.resolve();
  private ws?: WebSocket;
  port = 0;
  output = '';

  constructor(
    readonly me: PlaygroundUser,
    private readonly others: PlaygroundUser[],
    readonly chatId: string,
    private readonly dir: string,
    private readonly tenantId: string,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(botUrl: string): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    const config = join(this.dir, '.m365agentsplayground.yml');
    writeFileSync(config, playgroundConfig(this.me, this.others, this.chatId, this.tenantId));
    this.port = await freePort();
    this.child = spawn(
      process.execPath,
      [
        '-r',
        PRELOAD,
        CLI,
        '--disable-telemetry',
        '-p',
        String(this.port),
        '-e',
        botUrl,
        '-c',
        'msteams',
        '--service-url',
        `${this.url}/_connector`,
      ],
      {
        cwd: this.dir,
        env: {
          ...process.env,
          TEAMSAPPTESTER_BROWSER: 'none',
          M365_AGENTS_PLAYGROUND_CONFIG_PATH: config,
          M365_AGENTS_PLAYGROUND_LOGFILE: join(this.dir, 'playground.log'),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
        // Its own process group, so stop() reaches whatever the emulator forks.
        detached: true,
      },
    );
    this.exited = new Promise((r) => this.child!.once('exit', () => r()));
    this.child.stdout?.on('data', (c: Buffer) => {
      this.output += c.toString();
    });
    this.child.stderr?.on('data', (c: Buffer) => {
      this.output += c.toString();
    });
    // Ready when it answers its ping; no deadline of its own (a busy machine may take long):
    // the suite's timeout bounds it, and stop() ends it either way.
    for (;;) {
      if (this.child.exitCode !== null || this.child.signalCode !== null)
        throw new Error(`emulator exited: ${this.output}`);
      const ok = await fetch(`${this.url}/_debug/ping`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      await Promise.race([this.exited, new Promise((r) => setTimeout(r, 150))]);
    }
    await this.connectStream();
  }

  private connectStream(): Promise<void> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${this.port}/_ws_conversation/v1/conversations/stream`);
      this.ws = ws;
      ws.once('open', () => resolve());
      ws.once('error', reject);
      ws.on('message', (data) => {
        const raw = JSON.parse(String(data)) as Record<string, unknown>;
        for (const item of Array.isArray(raw) ? raw : [raw])
          this.messages.push(toStreamMessage(item as Record<string, unknown>));
      });
    });
  }

  /** The person types a message in their 1:1 chat. */
  async say(text: string): Promise<void> {
    const res = await fetch(`${this.url}/_conversation/v1/conversations/${encodeURIComponent(this.chatId)}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ from: { id: this.me.id }, text, textFormat: 'plain' }),
    });
    if (!res.ok) throw new Error(`send failed: ${res.status} ${await res.text()}`);
  }

  /** The bot is installed in the person's personal scope (sends installationUpdate and conversationUpdate). */
  async install(): Promise<void> {
    const res = await fetch(`${this.url}/_debug/conversation/${encodeURIComponent(this.chatId)}/installation`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    if (!res.ok) throw new Error(`install failed: ${res.status} ${await res.text()}`);
  }

  /** The person presses an Action.Execute button of the card in message `replyToId`; returns the bot's invoke answer. */
  async execute(
    replyToId: string,
    verb: string,
    data: Record<string, unknown>,
  ): Promise<{ statusCode: number; type: string; value: Record<string, unknown> }> {
    const res = await fetch(`${this.url}/_conversation/v1/invoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'adaptiveCard/action',
        value: { action: { type: 'Action.Execute', verb, data } },
        from: { id: this.me.id },
        conversation: { id: this.chatId },
        replyToId,
      }),
    });
    const body = (await res.json()) as {
      body?: { statusCode: number; type: string; value: Record<string, unknown> };
      statusCode?: number;
      type?: string;
      value?: Record<string, unknown>;
    };
    if (!res.ok) throw new Error(`invoke failed: ${res.status} ${JSON.stringify(body)}`);
    return (body.body ?? body) as { statusCode: number; type: string; value: Record<string, unknown> };
  }

  /** Waits until a bot message matching `test` has arrived (after index `from`), and returns it. */
  async waitFor(test: (m: StreamMessage) => boolean, timeoutMs = 30_000, from = 0): Promise<StreamMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.slice(from).find((m) => m.from === 'bot' && test(m));
      if (found) return found;
      if (Date.now() > deadline)
        throw new Error(
          `no matching message in ${this.me.name}'s chat; got: ${JSON.stringify(this.messages.map((m) => [m.action, m.from, m.text]))}`,
        );
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Stops the emulator by its process group: SIGTERM, then SIGKILL if it has not exited within 3 s. */
  async stop(): Promise<void> {
    this.ws?.close();
    const child = this.child;
    if (!child?.pid) return;
    const group = -child.pid;
    if (child.exitCode === null && child.signalCode === null) {
      signalGroup(group, 'SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        this.exited,
        new Promise((r) => {
          timer = setTimeout(r, 3000);
        }),
      ]);
      clearTimeout(timer);
    }
    signalGroup(group, 'SIGKILL');
    await this.exited;
  }
}

function signalGroup(group: number, signal: NodeJS.Signals): void {
  try {
    process.kill(group, signal);
  } catch {
    // ESRCH: the group is gone already.
  }
}

/** The bot's id in every emulator config (see playgroundConfig). */
export const BOT_ID = '28:mesa-de-servicio-bot';

function toStreamMessage(item: Record<string, unknown>): StreamMessage {
  const message = (item.message ?? {}) as {
    messageId?: string;
    from?: { id?: string };
    text?: string;
    attachments?: StreamMessage['attachments'];
  };
  return {
    action: String(item.action ?? ''),
    conversationId: item.actionConversationId as string | undefined,
    id: message.messageId,
    from: message.from?.id === BOT_ID ? 'bot' : message.from?.id,
    text: message.text,
    attachments: message.attachments,
    raw: item,
  };
}
