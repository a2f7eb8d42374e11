package dev.oboro.services.lambda;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A streamed response on its way to the caller while the function still runs: the Runtime API adds
 * each piece as it arrives ({@link Environment.StreamSink}), the caller's request thread takes them
 * ({@link #next()}); the end of the invocation ends it.
 */
final class LiveStream implements Environment.StreamSink {
    private static final byte[] END = new byte[0];
    private final LinkedBlockingQueue<byte[]> pieces = new LinkedBlockingQueue<>();
    private final CountDownLatch started = new CountDownLatch(1);
    private volatile String contentType;
    private volatile boolean ended;

    @Override
    public void piece(String contentType, byte[] piece) {
        if (ended) return;
        this.contentType = contentType;
        pieces.add(piece);
        started.countDown();
    }

    /** The invocation has ended: no more pieces. */
    void end() {
        ended = true;
        pieces.add(END);
        started.countDown();
    }

    /** Waits for the first piece, or the end of an invocation that sent none. */
    void awaitStart() {
        try {
            started.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for an invocation", e);
        }
    }

    /** The stream's content type (known once a piece has come). */
    String contentType() {
        return contentType;
    }

    /** The next piece, waiting for it; null once the invocation has ended. */
    byte[] next() throws IOException {
        try {
            byte[] p = pieces.take();
            if (p == END) {
                pieces.add(END);
                return null;
            }
            return p;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for a streamed response");
        }
    }
}
