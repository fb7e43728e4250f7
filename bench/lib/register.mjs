/**
 * `node --import ./bench/lib/register.mjs <script>`: resolves the benchmarks' bare imports from apps/server
 * (see ./resolve-hooks.mjs). bench/run.mjs starts every benchmark this way.
 */
import { register } from 'node:module';

register('./resolve-hooks.mjs', import.meta.url);
