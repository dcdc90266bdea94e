/**
 * DNS-rebinding guard: a page from another site that rebinds its name to
 * 127.0.0.1 still sends its own Host/Origin, so only our exact host:port
 * passes. Requests without Origin (curl, node clients) are fine: a browser
 * always sends Origin on WebSocket and cross-origin fetches.
 */
export function allowedHosts(host: string, port: number): Set<string> {
  const hosts = new Set([`${host}:${port}`, `127.0.0.1:${port}`, `localhost:${port}`]);
  return hosts;
}

export function checkHostOrigin(headers: { host?: string; origin?: string }, hosts: Set<string>): string | null {
  const host = headers.host?.toLowerCase();
  if (!host || !hosts.has(host)) return `Host ${JSON.stringify(headers.host ?? '')} is not this server`;
  const origin = headers.origin;
  if (origin !== undefined && origin !== 'null') {
    let o: URL;
    try { o = new URL(origin); } catch { return `Origin ${JSON.stringify(origin)} is not a URL`; }
    if (o.protocol !== 'http:' || !hosts.has(o.host.toLowerCase())) return `Origin ${JSON.stringify(origin)} is not this server`;
  } else if (origin === 'null') {
    return 'Origin null is not this server';
  }
  return null;
}

export function securityHeaders(port: number): Record<string, string> {
  return {
    'Content-Security-Policy': [
      "default-src 'none'",
      "script-src 'self'",
      "style-src 'self'",
      "img-src 'self' data:",
      `connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}`,
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
    ].join('; '),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Cache-Control': 'no-store',
  };
}
