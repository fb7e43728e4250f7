/**
 * Reference server start-up for bench/scale.mjs: spawns apps/server/dist/cli.js, follows its pino JSON log on
 * stdout (only levels, message texts and the warm-up report's counts are kept), polls /health and reads the
 * process's VmRSS.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { check, msSince, rssMiB } from './report.mjs';

const SERVER_CLI = fileURLToPath(new URL('../../apps/server/dist/cli.js', import.meta.url));

/**
 * Starts the reference server with `env`, measures time to the `listening` log line and to the first 200 from
 * /health, reads its VmRSS when ready and again once the cache warm-up logged "done" (or `settleMs` later when
 * it logs nothing within `warmUpWaitMs`), then stops it with SIGTERM.
 */
export async function measureServerStart(env, { settleMs = 2_000, warmUpWaitMs = 30_000 } = {}) {
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, [SERVER_CLI, 'start'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  try {
    const logs = { warnings: 0, errors: 0, messages: new Set() };
    let warmedUp;
    const warmUpDone = new Promise((resolve) => {
      warmedUp = resolve;
    });
    const listening = await new Promise((resolve, reject) => {
      let buffer = '';
      const timer = setTimeout(() => reject(new Error('no "listening" log line within 60 s')), 60_000);
      child.stdout.on('data', (chunk) => {
        buffer += chunk;
        let newline = buffer.indexOf('\n');
        while (newline >= 0) {
          const line = buffer.slice(0, newline);
          buffer = buffer.slice(newline + 1);
          newline = buffer.indexOf('\n');
          let entry;
          try {
            entry = JSON.parse(line);
          } catch {
            continue;
          }
          // pino levels: 40 warn, 50 error, 60 fatal. Only the message text is kept (no fields).
          if (entry.level >= 40) {
            if (entry.level >= 50) logs.errors++;
            else logs.warnings++;
            if (typeof entry.msg === 'string') logs.messages.add(entry.msg);
          }
          if (typeof entry.msg === 'string' && /warm-?up done/i.test(entry.msg)) {
            // Only the numeric fields of the warm-up report (counts), nothing else of the log line.
            const counts = Object.fromEntries(
              Object.entries(entry).filter(
                ([key, value]) => typeof value === 'number' && !['level', 'time', 'pid'].includes(key),
              ),
            );
            warmedUp({ ms: msSince(started), counts });
          }
          if (entry.msg === 'listening' && typeof entry.url === 'string') {
            clearTimeout(timer);
            resolve({ ms: msSince(started), url: entry.url });
          }
        }
      });
      exited.then(({ code }) => {
        clearTimeout(timer);
        reject(
          new Error(
            `server exited (${code}) before listening: ${stderr.trim().split('\n').slice(-2).join(' | ')}`,
          ),
        );
      });
    });
    let health;
    for (;;) {
      try {
        const response = await fetch(`${listening.url}/health`);
        const body = await response.json().catch(() => ({}));
        if (response.status === 200) {
          health = { ms: msSince(started), status: body.status };
          break;
        }
      } catch {
        // not accepting yet
      }
      check(msSince(started) < 60_000, 'server: /health did not answer 200 within 60 s');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const rssReady = rssMiB(child.pid);
    // The cache warm-up runs in the background after readiness; wait for its log line (if the server logs
    // one) so the second RSS reading includes the warmed cache, else read it `settleMs` after ready.
    const warmUp = await Promise.race([
      warmUpDone,
      new Promise((resolve) => setTimeout(() => resolve(null), warmUpWaitMs)),
    ]);
    if (warmUp === null) await new Promise((resolve) => setTimeout(resolve, settleMs));
    const rssSettled = rssMiB(child.pid);
    return {
      listeningMs: listening.ms,
      healthyMs: health.ms,
      healthStatus: health.status,
      rssReadyMiB: rssReady,
      rssSettledMiB: rssSettled,
      warmUpMs: warmUp?.ms ?? null,
      warmUpCounts: warmUp?.counts ?? null,
      logWarnings: logs.warnings,
      logErrors: logs.errors,
      logMessages: [...logs.messages].slice(0, 10),
    };
  } finally {
    if (child.exitCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }
}
