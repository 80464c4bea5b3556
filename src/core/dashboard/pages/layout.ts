import { html, type SafeHtml } from '../html.js';

/** The page frame shared by every dashboard page. */
export function layout(title: string, version: string, body: SafeHtml): SafeHtml {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Airut</title>
<link rel="stylesheet" href="/static/dashboard.css">
<script type="module" src="/static/dashboard.js"></script>
</head>
<body>
<header><a class="brand" href="/">Airut</a><span class="version">v${version}</span></header>
<main>
${body}
</main>
</body>
</html>
`;
}
