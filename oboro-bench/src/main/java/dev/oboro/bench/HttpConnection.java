package dev.oboro.bench;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A minimal blocking HTTP/1.1 client connection: writes a pre-rendered request and reads one
 * response (status line, headers, a body framed by Content-Length or chunked encoding).
 * Only the first {@link #KEEP} body bytes are kept, for checking; the rest is skipped.
 */
final class HttpConnection implements AutoCloseable {
    static final int KEEP = 4096;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final byte[] buf = new byte[64 * 1024];
    private int pos;
    private int lim;

    // Last response.
    int status;
    boolean closeAfter;
    final byte[] body = new byte[KEEP];
    int bodyKept;
    long bodyLength;

    HttpConnection(InetSocketAddress address, int connectTimeoutMillis, int readTimeoutMillis) throws IOException {
        socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(address, connectTimeoutMillis);
            socket.setSoTimeout(readTimeoutMillis);
            in = socket.getInputStream();
            out = socket.getOutputStream();
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /** Sends the request and reads the whole response; returns the status code. */
    int exchange(byte[] request) throws IOException {
        out.write(request);
        out.flush();
        return readResponse();
    }

    String bodyText() {
        return new String(body, 0, bodyKept, StandardCharsets.UTF_8);
    }

    private static final byte[] CONTENT_LENGTH = "content-length".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TRANSFER_ENCODING = "transfer-encoding".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CONNECTION = "connection".getBytes(StandardCharsets.US_ASCII);

    // Bounds of the line last read by nextLine(), inside buf (or inside line when it crossed a refill).
    private byte[] lineBuf;
    private int lineStart;
    private int lineEnd;
    private byte[] line = new byte[1024];

    /**
     * Parses the response head from bytes, allocating nothing on the common path: this runs on
     * the same two cores as the server under test, so every cycle it spends is taken from it.
     */
    private int readResponse() throws IOException {
        nextLine();
        // "HTTP/1.1 200 OK"
        int n = lineEnd - lineStart;
        if (n < 12 || lineBuf[lineStart] != 'H' || lineBuf[lineStart + 4] != '/' || lineBuf[lineStart + 8] != ' ') {
            throw new IOException("bad status line: " + lineText());
        }
        status = (lineBuf[lineStart + 9] - '0') * 100 + (lineBuf[lineStart + 10] - '0') * 10
                + (lineBuf[lineStart + 11] - '0');
        closeAfter = lineBuf[lineStart + 7] == '0';
        long contentLength = -1;
        boolean chunked = false;
        for (; ; ) {
            nextLine();
            if (lineEnd == lineStart) break;
            int colon = -1;
            for (int i = lineStart; i < lineEnd; i++) {
                if (lineBuf[i] == ':') {
                    colon = i;
                    break;
                }
            }
            if (colon <= lineStart) continue;
            if (nameIs(colon, CONTENT_LENGTH)) {
                contentLength = parseDecimal(colon + 1);
            } else if (nameIs(colon, TRANSFER_ENCODING)) {
                chunked = valueText(colon).toLowerCase().contains("chunked");
            } else if (nameIs(colon, CONNECTION)) {
                String v = valueText(colon).toLowerCase();
                if (v.contains("close")) closeAfter = true;
                if (v.contains("keep-alive")) closeAfter = false;
            }
        }
        bodyKept = 0;
        bodyLength = 0;
        if (chunked) {
            for (; ; ) {
                String sizeLine = readLine();
                int semi = sizeLine.indexOf(';');
                long size = Long.parseLong((semi >= 0 ? sizeLine.substring(0, semi) : sizeLine).trim(), 16);
                if (size == 0) {
                    while (!readLine().isEmpty()) { } // trailers
                    break;
                }
                readBody(size);
                readLine();
            }
        } else if (contentLength >= 0) {
            readBody(contentLength);
        } else if (status != 204 && status != 304 && !(status >= 100 && status < 200)) {
            // Body until close.
            closeAfter = true;
            try {
                for (; ; ) readBody(1);
            } catch (EOFException end) {
                // done
            }
        }
        return status;
    }

    private boolean nameIs(int colon, byte[] lowerName) {
        int end = colon;
        while (end > lineStart && lineBuf[end - 1] == ' ') end--;
        if (end - lineStart != lowerName.length) return false;
        for (int i = 0; i < lowerName.length; i++) {
            int c = lineBuf[lineStart + i];
            if (c >= 'A' && c <= 'Z') c += 'a' - 'A';
            if (c != lowerName[i]) return false;
        }
        return true;
    }

    private long parseDecimal(int from) throws IOException {
        long v = 0;
        boolean digits = false;
        for (int i = from; i < lineEnd; i++) {
            byte c = lineBuf[i];
            if (c == ' ' || c == '\t') {
                if (digits) break;
                continue;
            }
            if (c < '0' || c > '9') throw new IOException("bad Content-Length: " + lineText());
            v = v * 10 + (c - '0');
            digits = true;
        }
        if (!digits) throw new IOException("bad Content-Length: " + lineText());
        return v;
    }

    private String valueText(int colon) {
        return new String(lineBuf, colon + 1, lineEnd - colon - 1, StandardCharsets.ISO_8859_1).trim();
    }

    private String lineText() {
        return new String(lineBuf, lineStart, lineEnd - lineStart, StandardCharsets.ISO_8859_1);
    }

    /** Reads one line (without CRLF) and points lineBuf/lineStart/lineEnd at it. */
    private void nextLine() throws IOException {
        if (pos == lim) fill();
        for (int i = pos; i < lim; i++) {
            if (buf[i] == '\n') {
                lineBuf = buf;
                lineStart = pos;
                lineEnd = i > pos && buf[i - 1] == '\r' ? i - 1 : i;
                pos = i + 1;
                return;
            }
        }
        // The line crosses the end of the buffer: collect it in a side array.
        int len = 0;
        for (; ; ) {
            for (int i = pos; i < lim; i++) {
                byte b = buf[i];
                if (b == '\n') {
                    pos = i + 1;
                    if (len > 0 && line[len - 1] == '\r') len--;
                    lineBuf = line;
                    lineStart = 0;
                    lineEnd = len;
                    return;
                }
                if (len == line.length) {
                    if (len >= 64 * 1024) throw new IOException("header line too long");
                    line = java.util.Arrays.copyOf(line, len * 2);
                }
                line[len++] = b;
            }
            pos = lim;
            fill();
        }
    }

    private void readBody(long n) throws IOException {
        while (n > 0) {
            if (pos == lim) fill();
            int take = (int) Math.min(n, lim - pos);
            if (bodyKept < KEEP) {
                int keep = Math.min(take, KEEP - bodyKept);
                System.arraycopy(buf, pos, body, bodyKept, keep);
                bodyKept += keep;
            }
            pos += take;
            n -= take;
            bodyLength += take;
        }
    }

    private String readLine() throws IOException {
        nextLine();
        return lineText();
    }

    private void fill() throws IOException {
        int n = in.read(buf, 0, buf.length);
        if (n < 0) throw new EOFException("connection closed by server");
        pos = 0;
        lim = n;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
