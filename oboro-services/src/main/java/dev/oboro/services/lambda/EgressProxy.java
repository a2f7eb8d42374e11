package dev.oboro.services.lambda;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The egress proxy of one execution environment of a function in a VPC: an HTTP forward proxy
 * (plain {@code GET http://host/...} and {@code CONNECT host:443} tunnels) on a loopback port of
 * its own, given to the process as {@code HTTP_PROXY}/{@code HTTPS_PROXY} (both cases), with
 * Oboro's own endpoint and the Runtime API in {@code NO_PROXY}. Each connection asks the
 * {@link Policy} at that moment, so a NAT route added later takes effect for the next connection;
 * a refused one gets {@code 403 Forbidden} with the reason in the body and an
 * {@code X-Oboro-Egress-Refused} header (AWS drops the packets: the caller would time out).
 * Oboro's own endpoint is always reachable, as through VPC endpoints, and so is the environment's
 * Runtime API.
 */
final class EgressProxy implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(EgressProxy.class.getName());

    /** Decides a connection: the reason it is refused, or null to forward it. */
    interface Policy {
        String refusal(String host, int port);
    }

    private final ServerSocket server;
    private final Policy policy;
    private final String oboroHostPort;
    /** Always reachable: Oboro's endpoint and the environment's Runtime API (curl ignores {@code host:port} entries of NO_PROXY). */
    private final java.util.Set<String> always = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    EgressProxy(Policy policy, String oboroEndpoint) throws IOException {
        this.policy = policy;
        URI u = URI.create(oboroEndpoint);
        this.oboroHostPort = hostPort(u.getHost(), u.getPort() < 0 ? 80 : u.getPort());
        always.add(oboroHostPort);
        this.server = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name("lambda-egress-" + server.getLocalPort()).start(this::accept);
    }

    /** The proxy variables of the environment, in both the upper- and lower-case spellings runtimes read. */
    Map<String, String> variables(String runtimeApi) {
        String proxy = "http://127.0.0.1:" + server.getLocalPort();
        String noProxy = oboroHostPort + "," + runtimeApi;
        always.add(runtimeApi.toLowerCase(Locale.ROOT));
        Map<String, String> env = new LinkedHashMap<>();
        env.put("HTTP_PROXY", proxy);
        env.put("HTTPS_PROXY", proxy);
        env.put("http_proxy", proxy);
        env.put("https_proxy", proxy);
        env.put("NO_PROXY", noProxy);
        env.put("no_proxy", noProxy);
        // Node.js's own http/fetch follow the proxy variables only when asked to (Node 24+).
        env.put("NODE_USE_ENV_PROXY", "1");
        return env;
    }

    private static String hostPort(String host, int port) {
        return host.toLowerCase(Locale.ROOT) + ":" + port;
    }

    private void accept() {
        while (!closed) {
            try {
                Socket s = server.accept();
                Thread.ofVirtual().start(() -> serve(s));
            } catch (IOException e) {
                if (!closed) LOG.log(Level.FINE, "egress proxy accept failed", e);
                return;
            }
        }
    }

    private void serve(Socket client) {
        try (client) {
            InputStream in = client.getInputStream();
            OutputStream out = client.getOutputStream();
            byte[] head = readHead(in);
            if (head == null) return;
            String text = new String(head, StandardCharsets.ISO_8859_1);
            int eol = text.indexOf("\r\n");
            String[] line = text.substring(0, eol).split(" ");
            if (line.length != 3) {
                reply(out, 400, "Bad Request", "malformed request line", null);
                return;
            }
            boolean connect = line[0].equalsIgnoreCase("CONNECT");
            String host;
            int port;
            String path = null;
            if (connect) {
                int colon = line[1].lastIndexOf(':');
                host = colon < 0 ? line[1] : line[1].substring(0, colon);
                port = colon < 0 ? 443 : Integer.parseInt(line[1].substring(colon + 1));
            } else {
                URI u = URI.create(line[1]);
                if (u.getHost() == null) {
                    reply(out, 400, "Bad Request", "a proxy request needs an absolute URI", null);
                    return;
                }
                host = u.getHost();
                port = u.getPort() < 0 ? 80 : u.getPort();
                path = (u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath())
                        + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery());
            }
            if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
            String why = always.contains(hostPort(host, port)) ? null : policy.refusal(host, port);
            if (why != null) {
                reply(out, 403, "Forbidden", "Oboro refused the connection to " + host + ":" + port + ": " + why + "\n", why);
                return;
            }
            try (Socket upstream = new Socket()) {
                try {
                    upstream.connect(new InetSocketAddress(host, port), 10_000);
                } catch (IOException e) {
                    reply(out, 502, "Bad Gateway", "could not connect to " + host + ":" + port + ": " + e.getMessage() + "\n", null);
                    return;
                }
                OutputStream up = upstream.getOutputStream();
                if (connect) {
                    out.write("HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                } else {
                    up.write(originForm(line[0], path, line[2], text.substring(eol + 2)).getBytes(StandardCharsets.ISO_8859_1));
                    up.flush();
                }
                Thread pump = Thread.ofVirtual().start(() -> pipe(in, up, upstream));
                pipe(upstream.getInputStream(), out, client);
                pump.join(1000);
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.FINE, "egress proxy connection failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The request as the origin server expects it: origin-form target, without proxy headers, closing after one exchange. */
    private static String originForm(String method, String path, String version, String headers) {
        StringBuilder b = new StringBuilder(method).append(' ').append(path).append(' ').append(version).append("\r\n");
        for (String h : headers.split("\r\n")) {
            if (h.isEmpty()) continue;
            String name = h.substring(0, Math.max(0, h.indexOf(':'))).trim().toLowerCase(Locale.ROOT);
            if (name.startsWith("proxy-") || name.equals("connection") || name.equals("keep-alive")) continue;
            b.append(h).append("\r\n");
        }
        return b.append("Connection: close\r\n\r\n").toString();
    }

    /** Copies until end of stream, then half-closes the destination. */
    private static void pipe(InputStream from, OutputStream to, Socket toSocket) {
        byte[] buf = new byte[16384];
        try {
            int n;
            while ((n = from.read(buf)) >= 0) {
                to.write(buf, 0, n);
                to.flush();
            }
            if (!toSocket.isClosed()) toSocket.shutdownOutput();
        } catch (IOException ignored) {
            // either side went away
        }
    }

    /** Reads the request line and headers, up to the empty line. */
    private static byte[] readHead(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int matched = 0;
        int c;
        while ((c = in.read()) >= 0) {
            b.write(c);
            matched = (c == '\r' && (matched == 0 || matched == 2)) || (c == '\n' && (matched == 1 || matched == 3)) ? matched + 1 : 0;
            if (matched == 4) return b.toByteArray();
            if (b.size() > 65536) return null;
        }
        return null;
    }

    private static void reply(OutputStream out, int status, String reason, String body, String refused) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 " + status + " " + reason + "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: " + bytes.length
                + (refused == null ? "" : "\r\nX-Oboro-Egress-Refused: " + refused.replaceAll("[\r\n]", " ")) + "\r\nConnection: close\r\n\r\n";
        out.write(head.getBytes(StandardCharsets.ISO_8859_1));
        out.write(bytes);
        out.flush();
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // already closed
        }
    }
}
