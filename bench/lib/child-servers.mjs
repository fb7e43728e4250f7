/**
 * The two servers of bench/tools-call.mjs as child processes that keep running: the reference server
 * (apps/server/dist/cli.js start) and the bare SDK server (./bare-mcp-server.mjs). Both print JSON lines on
 * stdout; only levels and message texts of the reference server's log are kept (no fields: they could hold ids).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const SERVER_CLI = fileURLToPath(new URL('../../apps/server/dist/cli.js', import.meta.url));
const BARE = fileURLToPath(new URL('./bare-mcp-server.mjs', import.meta.url));
const REGISTER = fileURLToPath(new URL('./register.mjs', import.meta.url));

/**
 * Spawns `node [nodeArgs] script`, follows its stdout JSON lines, resolves once `isReady(entry)` returns a URL.
 * `stop()` sends SIGTERM (SIGKILL after 15 s) and waits for the exit.
 */
function spawnJsonLines(args, env, isReady, what) {
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const logs = { warnings: 0, errors: 0, messages: new Set() };
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-4_000);
  });
  const ready = new Promise((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => reject(new Error(`${what}: not listening within 60 s`)), 60_000);
    child.stdout.on('data', (chunk) => {
      buffer += chunk;
      for (let newline = buffer.indexOf('\n'); newline >= 0; newline = buffer.indexOf('\n')) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        let entry;
        try {
          entry = JSON.parse(line);
        } catch {
          continue;
        }
        // pino levels: 40 warn, 50 error, 60 fatal.
        if (typeof entry.level === 'number' && entry.level >= 40) {
          if (entry.level >= 50) logs.errors++;
          else logs.warnings++;
          if (typeof entry.msg === 'string' && logs.messages.size < 10) logs.messages.add(entry.msg);
        }
        const url = isReady(entry);
        if (url) {
          clearTimeout(timer);
          resolve(url);
        }
      }
    });
    exited.then(({ code }) => {
      clearTimeout(timer);
      reject(
        new Error(
          `${what} exited (${code}) before listening: ${stderr.trim().split('\n').slice(-3).join(' | ')}`,
        ),
      );
    });
  });
  return {
    child,
    logs,
    ready,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
  };
}

/** The reference server; `nodeArgs` go before the script (e.g. `--cpu-prof`). Resolves when it listens. */
export async function startReferenceServer(env, { nodeArgs = [] } = {}) {
  const proc = spawnJsonLines(
    [...nodeArgs, SERVER_CLI, 'start'],
    env,
    (entry) => (entry.msg === 'listening' && typeof entry.url === 'string' ? entry.url : null),
    'reference server',
  );
  const url = await proc.ready;
  return { ...proc, url, pid: proc.child.pid };
}

/** The bare SDK server (`transport`: `node` or `web`). Resolves when it listens. */
export async function startBareServer({ apiUrl, token, transport = 'node', nodeArgs = [] }) {
  const env = { ...process.env, BARE_API_URL: apiUrl, BARE_TOKEN: token, BARE_TRANSPORT: transport };
  const proc = spawnJsonLines(
    ['--import', REGISTER, ...nodeArgs, BARE],
    env,
    (entry) => (typeof entry.listening === 'string' ? entry.listening : null),
    'bare SDK server',
  );
  const url = await proc.ready;
  return { ...proc, url, pid: proc.child.pid };
}

/**
 * CPU time (user + system, seconds) a process has used so far, from /proc/<pid>/stat (clock ticks of 1/100 s);
 * `null` where unavailable.
 */
export function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}
