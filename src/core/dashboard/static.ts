/** The dashboard's stylesheet, served as `/static/dashboard.css` (no build step). */
export const DASHBOARD_CSS = `
:root { color-scheme: light dark; --accent: #3b6fd8; --muted: #777; }
body { font: 15px/1.5 system-ui, sans-serif; margin: 0; }
header { display: flex; gap: 1rem; align-items: baseline; padding: .75rem 1.5rem; border-bottom: 1px solid #8884; }
header .brand { font-weight: 700; font-size: 1.2rem; text-decoration: none; color: inherit; }
header .version { color: var(--muted); font-size: .85rem; }
main { max-width: 60rem; margin: 0 auto; padding: 1.5rem; }
code { font-family: ui-monospace, monospace; background: #8882; padding: 0 .25rem; border-radius: 3px; }
.empty { border: 1px dashed #8886; border-radius: 8px; padding: 1.5rem; }
.button { display: inline-block; background: var(--accent); color: #fff; padding: .5rem 1rem; border-radius: 6px; text-decoration: none; font-weight: 600; }
.count { font-weight: 700; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .4rem .6rem; border-bottom: 1px solid #8883; }
`;
