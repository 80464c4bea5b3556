/**
 * The one Markdown parser (marked, GitHub-flavoured) under the email HTML,
 * Slack mrkdwn and terminal renderers, which live beside their channels.
 */
export { blocksWithSpacing, isSafeUrl, lexInline, lexMarkdown, plainText, type Token, type Tokens } from './lex-markdown.js';
