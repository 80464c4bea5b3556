// Preloaded with `node --import` to record every module the process loads:
// ES modules through a resolve hook (which runs on the loader thread), CommonJS
// ones through Module._load. Each resolved file is appended, one per line, to
// the file named by AIRUT_TRACE_MODULES, so a test can list what a command
// pulled in without changing the command.
import { appendFileSync } from 'node:fs';
import Module, { register } from 'node:module';

const out = process.env.AIRUT_TRACE_MODULES;
if (out) {
  register(new URL('./hooks.js', import.meta.url), { data: { out } });
  const load = Module._load;
  Module._load = function traced(request, parent, isMain) {
    const loaded = load.call(this, request, parent, isMain);
    try {
      appendFileSync(out, `${Module._resolveFilename(request, parent, isMain)}\n`);
    } catch {
      // A request that resolved by other means (a builtin alias) is not a file.
    }
    return loaded;
  };
}
