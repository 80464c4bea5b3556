#!/usr/bin/env node
// Runs `node ARGS...` on the inherited terminal and writes how it ended to
// STATUS_FILE as JSON ({code, signal}), and its pid to STATUS_FILE.pid, so a
// test that drives a program in tmux learns its exit status even when tmux
// has not reaped it (seen on a busy machine: the pane is dead, the process a
// zombie, and #{pane_dead_status} stays empty). The wrapper ignores the
// terminal's signals: Ctrl-C reaches the whole foreground group, and what to
// do with it is the wrapped program's business.
//
// Usage: node exit-status-wrapper.js STATUS_FILE SCRIPT [ARGS...]
import { spawn } from 'node:child_process';
import { renameSync, writeFileSync } from 'node:fs';

const [statusFile, ...command] = process.argv.slice(2);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT']) process.on(signal, () => undefined);
const child = spawn(process.execPath, command, { stdio: 'inherit' });
writeFileSync(`${statusFile}.pid`, String(child.pid));
child.on('exit', (code, signal) => {
  // Written whole or not at all: the test polls for the file.
  writeFileSync(`${statusFile}.part`, JSON.stringify({ code, signal }));
  renameSync(`${statusFile}.part`, statusFile);
  process.exit(code ?? 1);
});
