/**
 * The real product server for end-to-end tests: `tsx server/start.ts` as a child process on a
 * free port with its own data directory and short timings, terminals made with the real CLI,
 * and the built-in simulator's control API for the customer's side.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Payment } from '../../../shared/api.ts';
import { eventually } from '../../support/eventually.ts';

const run = promisify(execFile);
const TSX = join(process.cwd(), 'node_modules/.bin/tsx');
export const MANAGER_PIN = '2468';

export interface Terminal {
  name: string;
  token: string;
  pair_url: string;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export class PosServer {
  #child: ChildProcess | undefined;
  #log: string[] = [];
  readonly dataDir = mkdtempSync(join(tmpdir(), 'pos-e2e-'));
  port = 0;

  constructor(private readonly extraEnv: Record<string, string> = {}) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  env(): NodeJS.ProcessEnv {
    return {
      ...process.env,
      PORT: String(this.port),
      HOST: '127.0.0.1',
      DATA_DIR: this.dataDir,
      SKIP_WEB_BUILD: '1', // vitest's global setup has built dist/web
      MANAGER_PIN,
      PAY_DEADLINE_MS: '40000',
      PAY_POLL_INTERVAL_MS: '200',
      PAY_REVERSE_MIN_AGE_MS: '0',
      ...this.extraEnv,
    };
  }

  /**
   * The server serves `dist/web` relative to its working directory. Other test runs on this
   * machine rebuild dist/web (emptying it first) at any moment, so each e2e server gets its own
   * complete copy of the build and runs from there.
   */
  async #privateBuild(): Promise<string> {
    const root = join(this.dataDir, 'app');
    for (let attempt = 0; attempt < 120; attempt++) {
      rmSync(root, { recursive: true, force: true });
      try {
        cpSync('dist/web', join(root, 'dist/web'), { recursive: true });
        const sw = readFileSync(join(root, 'dist/web/sw.js'), 'utf8');
        const files = [...sw.matchAll(/"?url"?:\s*"([^"]+)"/g)].map((m) => m[1]!);
        if (files.length > 0 && files.every((f) => existsSync(join(root, 'dist/web', f)))) return root;
      } catch {
        // Caught mid-rebuild (a file vanished while copying): try again.
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error('dist/web never looked complete: is a build failing?');
  }

  /**
   * Starts the server. The first start picks a free port just before spawning and picks again if
   * another process took it meanwhile (the kernel hands the same ephemeral range to every
   * outgoing connection of the other tests); a restart keeps its port, which the page reconnects to.
   */
  async start(): Promise<void> {
    const cwd = await this.#privateBuild();
    const keepPort = this.port !== 0;
    for (let attempt = 1; ; attempt++) {
      if (!keepPort) this.port = await freePort();
      try {
        return await this.#spawn(cwd);
      } catch (error) {
        if (keepPort || attempt === 5 || !/is in use/.test(String(error))) throw error;
      }
    }
  }

  async #spawn(cwd: string): Promise<void> {
    const child = spawn(TSX, [join(process.cwd(), 'server/start.ts')], { cwd, env: this.env(), stdio: ['ignore', 'pipe', 'pipe'] });
    this.#child = child;
    child.stdout?.on('data', (d: Buffer) => this.#log.push(d.toString()));
    child.stderr?.on('data', (d: Buffer) => this.#log.push(d.toString()));
    const healthy = async (): Promise<boolean> => {
      if (child.exitCode !== null) throw new Error(`server exited ${child.exitCode}:\n${this.log()}`);
      return fetch(`${this.url}/api/health`).then((r) => r.ok, () => false);
    };
    await eventually('the server answering /api/health', healthy, { timeoutMs: 60_000, intervalMs: 200 }).catch((error: Error) => {
      throw error.message.startsWith('server exited') ? error : new Error(`${error.message}:\n${this.log()}`);
    });
  }

  /** Stops the server process (SIGTERM, then SIGKILL); the data directory stays for a restart. */
  async stop(): Promise<void> {
    const child = this.#child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  log(): string {
    return this.#log.join('');
  }

  /** `npm run terminal -- add <name> [--role owner]`: its last stdout line is the JSON we need. */
  async addTerminal(name: string, role?: 'owner'): Promise<Terminal> {
    const { stdout } = await run(TSX, [join(process.cwd(), 'server/cli/terminal.ts'), 'add', name, ...(role ? ['--role', role] : [])], { env: this.env() });
    const last = stdout.trim().split('\n').pop()!;
    return JSON.parse(last) as Terminal;
  }

  /** `npm run cashier -- add <name> <pin>`: its last stdout line is {"id","name"}. */
  async addCashier(name: string, pin: string): Promise<{ id: string; name: string }> {
    const { stdout } = await run(TSX, [join(process.cwd(), 'server/cli/cashier.ts'), 'add', name, pin], { env: this.env() });
    return JSON.parse(stdout.trim().split('\n').pop()!) as { id: string; name: string };
  }

  async api<T>(token: string, path: string, init: RequestInit = {}): Promise<T> {
    const res = await fetch(this.url + path, { ...init, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', ...init.headers } });
    const body = (await res.json()) as T;
    if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(body)}`);
    return body;
  }

  async activePayment(token: string): Promise<Payment | null> {
    return (await this.api<{ payment: Payment | null }>(token, '/api/payments/active')).payment;
  }

  /** The customer's side: POST /simulator/control/orders/:out_trade_no/confirm|decline. */
  async customer(action: 'confirm' | 'decline', outTradeNo: string): Promise<void> {
    const res = await fetch(`${this.url}/simulator/control/orders/${encodeURIComponent(outTradeNo)}/${action}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    if (!res.ok) throw new Error(`simulator ${action}: ${res.status} ${await res.text()}`);
  }
}
