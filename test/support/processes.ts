import { spawn, type ChildProcess } from 'node:child_process';

/**
 * Real processes for the multi-instance tests and the scale bench: `npm start` (server/start.ts)
 * and `npm run simulator` (server/simulator/main.ts), started with tsx like the npm scripts,
 * each ready once its banner names the port it listens on.
 */

export interface Running {
  proc: ChildProcess;
  /** http://127.0.0.1:<port> */
  base: string;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** SIGKILL, resolved once it is gone. */
  kill(): Promise<void>;
  /** SIGTERM (a clean stop), resolved once it is gone. */
  stop(): Promise<void>;
}

function start(script: string, env: Record<string, string>, banner: RegExp, what: string, execArgv: string[] = []): Promise<Running> {
  const proc = spawn(process.execPath, [...execArgv, '--import', 'tsx', script], {
    cwd: process.cwd(),
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const gone = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const signal = async (name: NodeJS.Signals) => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill(name);
    await gone;
  };
  // Kept for tests to read; a long bench run keeps only the last few megabytes.
  const keep = (d: Buffer) => {
    output += d;
    if (output.length > 8_000_000) output = output.slice(-4_000_000);
  };
  return new Promise<Running>((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`${what} did not start:\n${output}`));
    }, 30_000);
    proc.stderr!.on('data', keep);
    let started = false;
    proc.stdout!.on('data', (d: Buffer) => {
      keep(d);
      const match = started ? null : banner.exec(output);
      if (match) {
        started = true;
        clearTimeout(timer);
        resolve({ proc, base: `http://127.0.0.1:${match[1]}`, output: () => output, kill: () => signal('SIGKILL'), stop: () => signal('SIGTERM') });
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${code}:\n${output}`));
    });
  });
}

/** `npm start` on PORT 0 with the web app as built (SKIP_WEB_BUILD); `execArgv` goes to node (e.g. --cpu-prof). */
export function startServerProcess(env: Record<string, string>, execArgv: string[] = []): Promise<Running> {
  return start('server/start.ts', { SKIP_WEB_BUILD: '1', PORT: '0', HOST: '127.0.0.1', ...env }, /micropay-pos on http:\/\/[^\s:]+:(\d+)/, `server ${env.INSTANCE_ID ?? ''}`, execArgv);
}

/** `npm run simulator` on an ephemeral port; its control API is at the root. */
export function startSimulatorProcess(env: Record<string, string> = {}): Promise<Running> {
  return start('server/simulator/main.ts', { SIMULATOR_PORT: '0', ...env }, /simulator on http:\/\/[^\s:]+:(\d+)/, 'simulator');
}
