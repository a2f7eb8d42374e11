package dev.oboro.bench;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The load generator's response parser, against canned responses from a loopback socket. */
class HttpConnectionTest {
    private ServerSocket server;

    @AfterEach
    void close() throws IOException {
        if (server != null) server.close();
    }

    /** Serves one connection: for each request read, writes the next canned response in pieces. */
    private InetSocketAddress serve(List<String> responses, int pieceSize) throws IOException {
        server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon().start(() -> {
            try (Socket s = server.accept()) {
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                byte[] buf = new byte[8192];
                for (String r : responses) {
                    if (in.read(buf) < 0) return;
                    byte[] bytes = r.getBytes(StandardCharsets.ISO_8859_1);
                    for (int i = 0; i < bytes.length; i += pieceSize) {
                        out.write(bytes, i, Math.min(pieceSize, bytes.length - i));
                        out.flush();
                    }
                }
            } catch (IOException ignored) {
                // test over
            }
        });
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    private static final byte[] GET = "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    @Test
    void readsContentLengthAndChunkedBodiesOnOneKeepAliveConnection() throws IOException {
        String body = "<Response>" + "x".repeat(5000) + "</Response>";
        InetSocketAddress addr = serve(List.of(
                "HTTP/1.1 200 OK\r\ncontent-type: text/xml\r\nCONTENT-LENGTH:  " + body.length() + "\r\n\r\n" + body,
                "HTTP/1.1 400 Bad Request\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\n\r\n",
                "HTTP/1.1 204 No Content\r\n\r\n",
                "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"), 7);
        try (HttpConnection c = new HttpConnection(addr, 1000, 2000)) {
            assertEquals(200, c.exchange(GET));
            assertEquals(body.length(), c.bodyLength);
            assertTrue(c.bodyText().startsWith("<Response>xxx"));
            assertFalse(c.closeAfter);

            assertEquals(400, c.exchange(GET));
            assertEquals("hello world", c.bodyText());

            assertEquals(204, c.exchange(GET));
            assertEquals(0, c.bodyLength);

            assertEquals(200, c.exchange(GET));
            assertEquals("ok", c.bodyText());
            assertTrue(c.closeAfter);
        }
    }

    @Test
    void headersLargerThanTheReadBufferAreRead() throws IOException {
        StringBuilder head = new StringBuilder("HTTP/1.1 200 OK\r\n");
        for (int i = 0; i < 25; i++) head.append("X-Filler-").append(i).append(": ").append("y".repeat(4000)).append("\r\n");
        InetSocketAddress addr = serve(List.of(head + "Content-Length: 1\r\n\r\nz"), 1500);
        try (HttpConnection c = new HttpConnection(addr, 1000, 2000)) {
            assertEquals(200, c.exchange(GET));
            assertEquals("z", c.bodyText());
        }
    }

    @Test
    void aHeaderLineOverTheLimitIsAnError() throws IOException {
        String big = "y".repeat(100_000);
        InetSocketAddress addr = serve(List.of("HTTP/1.1 200 OK\r\nX-Big: " + big + "\r\nContent-Length: 1\r\n\r\nz"),
                4096);
        try (HttpConnection c = new HttpConnection(addr, 1000, 2000)) {
            IOException e = assertThrows(IOException.class, () -> c.exchange(GET));
            assertEquals("header line too long", e.getMessage());
        }
    }

    @Test
    void aGarbledStatusLineIsAnError() throws IOException {
        InetSocketAddress addr = serve(List.of("SSH-2.0-OpenSSH\r\n\r\n"), 100);
        try (HttpConnection c = new HttpConnection(addr, 1000, 2000)) {
            assertThrows(IOException.class, () -> c.exchange(GET));
        }
    }
}
