package dev.oboro.core.http;

import dev.oboro.core.Gateway;
import dev.oboro.wire.BodyStream;
import dev.oboro.wire.WireRequest;
import dev.oboro.wire.WireResponse;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * HTTP/1.1 on one port with keep-alive. Netty parses and writes; each request's work runs on a
 * virtual thread so handlers may block (long polls, process waits) without holding an event loop.
 * The trailer fields of a chunked request are passed on as headers (Lambda runtimes report a
 * streamed response's error in trailers).
 *
 * <p>A response with a {@link WireResponse#stream()} is sent chunked, each piece written and flushed
 * as the request's thread pulls it. A small server may stream chosen requests' bodies too
 * ({@link #small(Handler, Predicate)}): such a request is handed to its handler as soon as its head
 * has come, its body pieces (and at the end its trailers) following in {@link WireRequest#stream()}.
 */
public final class HttpServer implements AutoCloseable {
    /** Request bodies up to this size are accepted (AWS's largest common payloads are below it). */
    public static final int MAX_BODY = 128 * 1024 * 1024;

    /** What answers the requests: the gateway, or a small server of its own (a Lambda Runtime API). */
    @FunctionalInterface
    public interface Handler {
        WireResponse handle(WireRequest request, String sourceIp);
    }

    /** Event loops shared by the small servers ({@link #small}), daemon threads that live as long as the JVM. */
    private static final class Shared {
        static final EventLoopGroup BOSS = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("oboro-small-http", true), ioHandlers());
        static final EventLoopGroup WORKERS = new MultiThreadIoEventLoopGroup(2, new DefaultThreadFactory("oboro-small-http-io", true), ioHandlers());
    }

    private final Handler gateway;
    private final Predicate<WireRequest> streamedBodies;
    private final boolean shared;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final ExecutorService handlers = Executors.newVirtualThreadPerTaskExecutor();
    private final AtomicInteger inFlight = new AtomicInteger();
    private Channel channel;

    /** Epoll where Netty's native transport loads (Linux x86-64): its wake-ups cost less than NIO's selector. */
    private static IoHandlerFactory ioHandlers() {
        return Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    }

    public HttpServer(Gateway gateway) {
        this(gateway::handle, null, false);
    }

    private HttpServer(Handler handler, Predicate<WireRequest> streamedBodies, boolean shared) {
        this.gateway = handler;
        this.streamedBodies = streamedBodies;
        this.shared = shared;
        this.boss = shared ? Shared.BOSS : new MultiThreadIoEventLoopGroup(1, ioHandlers());
        this.workers = shared ? Shared.WORKERS : new MultiThreadIoEventLoopGroup(ioHandlers());
    }

    /** A server for a few local connections on event loops shared by every such server (they cost no threads of their own). */
    public static HttpServer small(Handler handler) {
        return new HttpServer(handler, null, true);
    }

    /**
     * A small server that hands the requests {@code streamedBodies} picks (seeing the head, with an empty
     * body) to the handler at once, their bodies to be read as they arrive from {@link WireRequest#stream()}.
     */
    public static HttpServer small(Handler handler, Predicate<WireRequest> streamedBodies) {
        return new HttpServer(handler, streamedBodies, true);
    }

    public int start(String host, int port) throws InterruptedException {
        ServerBootstrap b = new ServerBootstrap()
                .group(boss, workers)
                .channel(Epoll.isAvailable() ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline()
                                .addLast(new HttpServerCodec(8192, 65536, 65536))
                                .addLast(new AckIncompleteRequests())
                                .addLast(new HttpServerKeepAliveHandler())
                                .addLast(new HttpServerExpectContinueHandler());
                        if (streamedBodies != null) ch.pipeline().addLast(new StreamedBodies());
                        ch.pipeline()
                                .addLast(new HttpObjectAggregator(MAX_BODY))
                                .addLast(new Dispatch());
                    }
                });
        channel = b.bind(host, port).sync().channel();
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    /**
     * Acknowledges at once a request whose body has not arrived with its head. Clients that write
     * the head and the body separately without TCP_NODELAY (the JDK's HttpURLConnection, so the
     * SDK's UrlConnectionHttpClient) hold the body back under Nagle's algorithm until the head is
     * acknowledged, and Linux delays that acknowledgement: milliseconds on every POST. A quick
     * acknowledgement (one setsockopt, only when a request is incomplete after a read) lets the body go.
     */
    private static final class AckIncompleteRequests extends ChannelInboundHandlerAdapter {
        private boolean incomplete;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpRequest) incomplete = true;
            if (msg instanceof LastHttpContent) incomplete = false;
            ctx.fireChannelRead(msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (incomplete && ctx.channel() instanceof EpollSocketChannel ch) ch.config().setTcpQuickAck(true);
            ctx.fireChannelReadComplete();
        }
    }

    private final class Dispatch extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest msg) {
            dispatch(ctx, toWire(msg, msg.trailingHeaders(), ByteBufUtil.getBytes(msg.content()), null), HttpUtil.isKeepAlive(msg));
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    private void dispatch(ChannelHandlerContext ctx, WireRequest req, boolean keepAlive) {
        String ip = ctx.channel().remoteAddress() instanceof InetSocketAddress a ? a.getAddress().getHostAddress() : "127.0.0.1";
        inFlight.incrementAndGet();
        handlers.execute(() -> {
            try {
                WireResponse resp = gateway.handle(req, ip);
                if (req.stream() != null) drain(req.stream());
                if (resp.stream() == null) write(ctx, resp, keepAlive, req.method().equals("HEAD"));
                else writeStreamed(ctx, resp, keepAlive, req.method().equals("HEAD"));
            } finally {
                inFlight.decrementAndGet();
            }
        });
    }

    /** Reads what the handler left of a streamed request body, so that the answer follows the whole request. */
    private static void drain(BodyStream body) {
        try {
            while (body.next() != null) {
                // discarded
            }
        } catch (IOException e) {
            // the connection is gone; the answer will not be written
        }
    }

    /**
     * Hands the requests {@link #streamedBodies} picks to their handler when the head has come, and their
     * body pieces to it as they arrive (the aggregator after it sees only the other requests).
     */
    private final class StreamedBodies extends ChannelInboundHandlerAdapter {
        private Pieces current;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpRequest head && !(msg instanceof FullHttpRequest) && current == null) {
                WireRequest req = toWire(head, null, new byte[0], null);
                if (streamedBodies.test(req)) {
                    current = new Pieces();
                    dispatch(ctx, toWire(head, null, new byte[0], current), HttpUtil.isKeepAlive(head));
                    ReferenceCountUtil.release(msg);
                    return;
                }
            }
            if (current != null && msg instanceof HttpContent piece) {
                try {
                    if (piece.content().isReadable()) current.add(ByteBufUtil.getBytes(piece.content()));
                    if (piece instanceof LastHttpContent last) {
                        current.end(last.trailingHeaders());
                        current = null;
                    }
                } finally {
                    piece.release();
                }
                return;
            }
            ctx.fireChannelRead(msg);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (current != null) current.broken();
            current = null;
            ctx.fireChannelInactive();
        }
    }

    /** A request body's pieces, handed from the event loop to the request's thread. */
    private static final class Pieces implements BodyStream {
        private static final byte[] END = new byte[0];
        private static final byte[] BROKEN = new byte[0];
        private final LinkedBlockingQueue<byte[]> queue = new LinkedBlockingQueue<>();
        private volatile Map<String, String> trailers = Map.of();
        private byte[] last;

        void add(byte[] piece) {
            queue.add(piece);
        }

        void end(HttpHeaders trailing) {
            Map<String, String> t = new HashMap<>();
            trailing.forEach(e -> t.putIfAbsent(e.getKey().toLowerCase(Locale.ROOT), e.getValue()));
            trailers = t;
            queue.add(END);
        }

        void broken() {
            queue.add(BROKEN);
        }

        @Override
        public byte[] next() throws IOException {
            if (last == END) return null;
            if (last == BROKEN) throw new IOException("the connection closed before the request's body ended");
            try {
                byte[] p = queue.take();
                if (p == END || p == BROKEN) {
                    last = p;
                    return next();
                }
                return p;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while reading a request body");
            }
        }

        @Override
        public Map<String, String> trailers() {
            return trailers;
        }
    }

    private static WireRequest toWire(HttpRequest msg, HttpHeaders trailers, byte[] body, BodyStream stream) {
        String uri = msg.uri();
        int q = uri.indexOf('?');
        String path = q < 0 ? uri : uri.substring(0, q);
        String query = q < 0 ? null : uri.substring(q + 1);
        if (path.startsWith("http://") || path.startsWith("https://")) {
            int slash = path.indexOf('/', path.indexOf("//") + 2);
            path = slash < 0 ? "/" : path.substring(slash);
        }
        Map<String, List<String>> headers = new HashMap<>();
        msg.headers().forEach(e -> headers.computeIfAbsent(e.getKey().toLowerCase(Locale.ROOT), k -> new ArrayList<>(1)).add(e.getValue()));
        if (trailers != null) {
            trailers.forEach(e -> headers.computeIfAbsent(e.getKey().toLowerCase(Locale.ROOT), k -> new ArrayList<>(1)).add(e.getValue()));
        }
        return new WireRequest(msg.method().name(), path, query, headers, body, stream);
    }

    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME;

    private static void write(ChannelHandlerContext ctx, WireResponse resp, boolean keepAlive, boolean head) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(resp.status()),
                head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(resp.body()));
        headers(r.headers(), resp);
        r.headers().set(HttpHeaderNames.CONTENT_LENGTH, resp.body().length);
        if (keepAlive) {
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(r);
        } else {
            ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private static void headers(HttpHeaders out, WireResponse resp) {
        // a value with line breaks is several values of that header, one line each (Set-Cookie)
        resp.headers().forEach((k, v) -> {
            if (v != null && v.indexOf('\n') >= 0) {
                for (String one : v.split("\n")) out.add(k, one);
            } else {
                out.set(k, v);
            }
        });
        if (!out.contains(HttpHeaderNames.DATE)) {
            out.set(HttpHeaderNames.DATE, HTTP_DATE.format(ZonedDateTime.now(ZoneOffset.UTC)));
        }
        String rid = resp.headers().get("x-amzn-RequestId");
        if (rid != null && !resp.headers().containsKey("x-amz-request-id")) out.set("x-amz-request-id", rid);
    }

    /**
     * A response whose body is made while it is sent: the head at once, then each piece as an HTTP chunk,
     * flushed, waiting for it to be written before pulling the next (a slow client slows the reading).
     * If the client goes away, the rest of the body is not pulled.
     */
    private static void writeStreamed(ChannelHandlerContext ctx, WireResponse resp, boolean keepAlive, boolean head) {
        DefaultHttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(resp.status()));
        headers(r.headers(), resp);
        r.headers().remove(HttpHeaderNames.CONTENT_LENGTH);
        r.headers().set(HttpHeaderNames.CONNECTION, keepAlive ? HttpHeaderValues.KEEP_ALIVE : HttpHeaderValues.CLOSE);
        if (head) {
            r.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0);
            ctx.write(r);
            finish(ctx, keepAlive);
            return;
        }
        HttpUtil.setTransferEncodingChunked(r, true);
        if (!ctx.writeAndFlush(r).awaitUninterruptibly().isSuccess()) return;
        try {
            for (byte[] piece = resp.stream().next(); piece != null; piece = resp.stream().next()) {
                if (piece.length == 0) continue;
                if (!ctx.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(piece))).awaitUninterruptibly().isSuccess()) return;
            }
        } catch (IOException | RuntimeException e) {
            // the body broke off: end the connection without the last chunk, so the client sees an incomplete response
            ctx.close();
            return;
        }
        finish(ctx, keepAlive);
    }

    private static void finish(ChannelHandlerContext ctx, boolean keepAlive) {
        if (keepAlive) ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        else ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
    }

    /** Stops accepting, lets in-flight requests finish (up to the grace period), then stops. */
    @Override
    public void close() {
        if (channel != null) channel.close().syncUninterruptibly();
        if (shared) {
            // a small server's owner ends its clients itself (a runtime's process is killed); no grace period
            handlers.shutdown();
            return;
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        handlers.shutdown();
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    }
}
