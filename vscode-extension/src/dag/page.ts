// The DAG view's HTML page: the stylesheet (media/dag.css) and the script
// (dist/dag-view.js) under a Content Security Policy. Pure, so the policy is unit-tested
// without VS Code.

export interface DagHtmlParts {
  /** `webview.cspSource`. */
  cspSource: string;
  /** dist/dag-view.js as a webview URI. */
  scriptUri: string;
  /** media/dag.css as a webview URI. */
  styleUri: string;
  /** A fresh random value per page: only the script carrying it runs. */
  nonce: string;
}

/** The view's page: nothing but the stylesheet and the script, both from the extension,
 * under a policy that forbids anything else (no inline code, no remote resources). */
export function dagHtml(parts: DagHtmlParts): string {
  const csp = [
    "default-src 'none'",
    `img-src ${parts.cspSource} data:`,
    `style-src ${parts.cspSource}`,
    `script-src 'nonce-${parts.nonce}'`,
  ].join("; ");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attribute(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${attribute(parts.styleUri)}">
<title>DAG</title>
</head>
<body>
<script nonce="${attribute(parts.nonce)}" src="${attribute(parts.scriptUri)}"></script>
</body>
</html>
`;
}

function attribute(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
