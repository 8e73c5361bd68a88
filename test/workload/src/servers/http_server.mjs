// An HTTP server for test/workload/servers.test.ts: node http_server.mjs PORT.
//   GET /hello/N  -> "hello N"
//   POST /sum     -> "LENGTH SHA256" of the request body
//   GET /stats    -> "requests R connections C" (C counts TCP connections: keep-alive)
//   GET /quit     -> "bye", then the server closes and the process exits 0
import { createHash } from 'node:crypto';
import http from 'node:http';

const port = Number(process.argv[2]);
let requests = 0;
let connections = 0;
const server = http.createServer((req, res) => {
  requests++;
  const hash = createHash('sha256');
  let length = 0;
  req.on('data', (chunk) => {
    length += chunk.length;
    hash.update(chunk);
  });
  req.on('end', () => {
    const url = req.url ?? '';
    if (req.method === 'GET' && url.startsWith('/hello/')) res.end(`hello ${url.slice(7)}`);
    else if (req.method === 'POST' && url === '/sum') res.end(`${length} ${hash.digest('hex')}`);
    else if (url === '/stats') res.end(`requests ${requests} connections ${connections}`);
    else if (url === '/quit') {
      res.setHeader('Connection', 'close');
      res.end('bye', () => {
        server.close();
        server.closeAllConnections();
      });
    } else {
      res.statusCode = 404;
      res.end('not found');
    }
  });
});
// Keep-alive connections stay open however slow the machine (the default closes them after 5 s idle).
server.keepAliveTimeout = 120_000;
server.on('connection', () => connections++);
server.listen(port, '127.0.0.1');
