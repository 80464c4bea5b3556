export { AirutCommand } from './airut-command.js';
