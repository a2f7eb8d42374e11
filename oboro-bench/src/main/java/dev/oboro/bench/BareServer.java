package dev.oboro.bench;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.codec.http.HttpVersion;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * The physical reference: a bare Netty HTTP/1.1 server with the same codec, aggregation and
 * keep-alive handling a real server needs, answering every request with one fixed small XML body
 * (the size of an STS GetCallerIdentity answer). Whatever Oboro does beyond this is the cost of
 * being AWS.
 *
 * <p>Runs as its own process, like Oboro, so both are measured the same way:
 * {@code java -cp oboro-bench-all.jar dev.oboro.bench.BareServer [--port N] [--host H]}. Prints
 * the same kind of ready line Oboro does and ignores Oboro's other flags, so it can stand in for
 * Oboro when testing the bench or the launcher.
 */
public final class BareServer {

    static final byte[] BODY = ("<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n"
            + "  <GetCallerIdentityResult>\n"
            + "    <Arn>arn:aws:iam::000000000000:root</Arn>\n"
            + "    <UserId>000000000000</UserId>\n"
            + "    <Account>000000000000</Account>\n"
            + "  </GetCallerIdentityResult>\n"
            + "  <ResponseMetadata>\n"
            + "    <RequestId>00000000-0000-0000-0000-000000000000</RequestId>\n"
            + "  </ResponseMetadata>\n"
            + "</GetCallerIdentityResponse>\n").getBytes(StandardCharsets.UTF_8);

    private final EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, ioHandlers());
    private final EventLoopGroup workers = new MultiThreadIoEventLoopGroup(ioHandlers());
    private Channel channel;

    /** Epoll where Netty's native transport loads (Linux x86-64): its wake-ups cost less than NIO's selector. */
    private static IoHandlerFactory ioHandlers() {
        return Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    }

    public static void main(String[] args) throws Exception {
        long started = System.nanoTime();
        String host = "127.0.0.1";
        int port = 4566;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--host" -> host = args[++i];
                case "--data-dir" -> i++;
                default -> { } // --ephemeral and anything else: not relevant to a fixed response
            }
        }
        BareServer server = new BareServer();
        server.start(new InetSocketAddress(host, port));
        Runtime.getRuntime().addShutdownHook(new Thread(server::stop));
        System.out.println("Bare Netty ready on http://" + host + ":" + port + " in "
                + (System.nanoTime() - started) / 1_000_000 + " ms");
        System.out.flush();
        server.channel.closeFuture().sync();
    }

    void start(InetSocketAddress address) throws InterruptedException {
        ByteBuf body = Unpooled.unreleasableBuffer(Unpooled.directBuffer(BODY.length).writeBytes(BODY));
        channel = new ServerBootstrap()
                .group(boss, workers)
                .channel(Epoll.isAvailable() ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline()
                                .addLast(new HttpServerCodec())
                                .addLast(new HttpServerKeepAliveHandler())
                                .addLast(new HttpObjectAggregator(64 * 1024 * 1024))
                                .addLast(new SimpleChannelInboundHandler<FullHttpRequest>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
                                        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                                                HttpResponseStatus.OK, body.duplicate());
                                        res.headers()
                                                .set(HttpHeaderNames.CONTENT_TYPE, "text/xml")
                                                .setInt(HttpHeaderNames.CONTENT_LENGTH, BODY.length)
                                                .set("x-amzn-RequestId", "00000000-0000-0000-0000-000000000000");
                                        if (io.netty.handler.codec.http.HttpUtil.isKeepAlive(req)) {
                                            res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
                                        }
                                        ctx.writeAndFlush(res);
                                    }
                                });
                    }
                })
                .bind(address).sync().channel();
    }

    void stop() {
        if (channel != null) channel.close().syncUninterruptibly();
        boss.shutdownGracefully();
        workers.shutdownGracefully().syncUninterruptibly();
    }
}
