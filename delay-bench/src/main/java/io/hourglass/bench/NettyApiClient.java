package io.hourglass.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The submit calls over Netty's HTTP/1.1 codec with one keep-alive channel per submitting thread (the default,
 * {@code --client netty}). A thread writes its request and parks until the channel's handler has the whole answer:
 * one request in flight per thread, no pipelining, the load model of a blocking client. Bodies are written by the
 * thread's Jackson generator straight into a pooled buffer ({@link SubmitJson.Writer}); the answer's body is
 * collected into a byte array the channel reuses, and a single submit's {@code id}/{@code deliverAt} are read
 * with Jackson's streaming parser.
 *
 * <p>A channel is opened on first use and again after the server said {@code Connection: close} (Tomcat does every
 * 100 requests) or closed it, and after an error or a timeout. A request is sent a second time, once, only when it
 * went out on a reused channel that closed before any of the answer arrived: the server had closed the idle
 * connection and never read the request. Timeouts, bad answers and failures on a fresh channel are never retried.
 * Plain http only.
 */
final class NettyApiClient extends ApiClient {

    static final int MAX_BODY_BYTES = 64 << 20;
    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

    private final EventLoopGroup group;
    private final Bootstrap bootstrap;
    private final HttpHeaders getHeaders;
    private final HttpHeaders postHeaders;
    private final Duration timeout;
    private final Connection[] connections;

    NettyApiClient(URI base, String appKey, String appSecret, int threads, Duration timeout) throws UnknownHostException {
        super(base, appKey, appSecret);
        if (!"http".equals(base.getScheme())) {
            throw new IllegalArgumentException("plain http only, got " + base);
        }
        String host = base.getHost();
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        int port = base.getPort() == -1 ? 80 : base.getPort();
        InetSocketAddress address = new InetSocketAddress(InetAddress.getByName(bare), port);
        this.getHeaders = new DefaultHttpHeaders()
                .set(HttpHeaderNames.HOST, host + ":" + port)
                .set("X-App-Key", appKey)
                .set("X-App-Secret", appSecret)
                .set(HttpHeaderNames.ACCEPT, HttpHeaderValues.APPLICATION_JSON);
        this.postHeaders = getHeaders.copy().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        this.timeout = timeout;
        // one event loop per 16 channels: the loop only moves bytes, the submitting threads do the rest; native
        // epoll where there is one (less CPU per request than the JDK selector)
        int loops = Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), (threads + 15) / 16));
        DefaultThreadFactory loopThreads = new DefaultThreadFactory("bench-http", true);
        boolean epoll = Epoll.isAvailable();
        this.group = epoll ? new EpollEventLoopGroup(loops, loopThreads) : new NioEventLoopGroup(loops, loopThreads);
        this.bootstrap = new Bootstrap().group(group).remoteAddress(address)
                .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) CONNECT_TIMEOUT.toMillis());
        this.connections = new Connection[Math.max(1, threads)];
        for (int i = 0; i < connections.length; i++) {
            connections[i] = new Connection();
        }
    }

    @Override
    void probe() throws UnreachableException {
        Connection c = new Connection();
        try {
            Answer a = c.exchange(HttpMethod.GET, PROBE_PATH, null, PROBE_TIMEOUT);
            String refusal = probeRefusal(base, appKey, a.status);
            if (refusal != null) {
                throw new UnreachableException(refusal, null);
            }
        } catch (ConnectException e) {
            throw new UnreachableException("nothing answers at " + base + " (connection refused). Is the server "
                    + "running? Start it with scripts/run.sh, or pass --base.", e);
        } catch (SocketTimeoutException e) {
            throw new UnreachableException(c.connects == 0
                    ? "nothing answers at " + base + " (connect timed out). Is the server running? Start it "
                      + "with scripts/run.sh, or pass --base."
                    : "the server at " + base + " accepted a connection but did not answer within 10 s", e);
        } catch (IOException e) {
            throw new UnreachableException("cannot talk to " + base + ": " + describe(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnreachableException("interrupted while probing " + base, e);
        } finally {
            c.close();
        }
    }

    @Override
    Outcome submit(int thread, Message message) throws InterruptedException {
        Connection c = connections[thread % connections.length];
        Answer a;
        try {
            a = c.exchange(HttpMethod.POST, SINGLE_PATH, c.writer.single(ALLOC, message), timeout);
        } catch (IOException e) {
            return Outcome.failed("transport " + describe(e));
        }
        if (a.status / 100 != 2) {
            return Outcome.failed(problem(a.status, a.body, 0, a.length));
        }
        return SubmitJson.readAccepted(a.status, a.body, 0, a.length);
    }

    @Override
    List<Outcome> submitBatch(int thread, List<Message> messages) throws InterruptedException {
        Connection c = connections[thread % connections.length];
        Answer a;
        try {
            a = c.exchange(HttpMethod.POST, BATCH_PATH, c.writer.batch(ALLOC, messages), timeout);
        } catch (IOException e) {
            return allFailed(messages.size(), "transport " + describe(e));
        }
        if (a.status / 100 != 2) {
            return allFailed(messages.size(), problem(a.status, a.body, 0, a.length));
        }
        return batchOutcomes(a.status, a.body, 0, a.length, messages.size());
    }

    @Override
    String describeTransport() {
        return "netty, one keep-alive channel per thread";
    }

    /** Channels opened and requests retried on a stale channel, over all threads (read after the run). */
    long[] connectionStats() {
        long connects = 0;
        long retries = 0;
        for (Connection c : connections) {
            connects += c.connects;
            retries += c.retries;
        }
        return new long[] {connects, retries};
    }

    @Override
    public void close() {
        for (Connection c : connections) {
            c.close();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    /** A submitting thread's channel (reopened as needed) and JSON writer; only that thread touches it. */
    private final class Connection {
        final SubmitJson.Writer writer = new SubmitJson.Writer();
        private Channel channel;
        private Answer answer;
        long connects;
        long retries;

        /**
         * Sends one request and waits for its whole answer.
         *
         * @param body released here; null for none (and no {@code Content-Length})
         * @return the answer, valid until the next call
         * @throws IOException the request failed; the channel is closed (the next call opens a new one)
         */
        Answer exchange(HttpMethod method, String path, ByteBuf body, Duration wait)
                throws IOException, InterruptedException {
            try {
                for (int attempt = 0; ; attempt++) { // at most two: the retry needs a reused channel
                    boolean reused = channel != null && channel.isActive();
                    if (!reused) {
                        close();
                        connect();
                    }
                    Answer a = answer;
                    FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, path,
                            body == null ? Unpooled.EMPTY_BUFFER : body.retainedDuplicate(), false);
                    request.headers().set(body == null ? getHeaders : postHeaders);
                    if (body != null) {
                        HttpUtil.setContentLength(request, body.readableBytes());
                    }
                    a.begin();
                    long deadline = System.nanoTime() + wait.toNanos();
                    channel.writeAndFlush(request).addListener(f -> {
                        if (!f.isSuccess()) {
                            a.finish(asIoException(f.cause()));
                        }
                    });
                    boolean answered;
                    try {
                        answered = a.await(deadline);
                    } catch (InterruptedException e) {
                        close();
                        throw e;
                    }
                    if (!answered) {
                        close();
                        throw new SocketTimeoutException("no answer within " + wait.toMillis() + " ms");
                    }
                    if (a.failure != null) {
                        close();
                        if (attempt == 0 && reused && !a.started && staleChannel(a.failure)) {
                            retries++;
                            continue;
                        }
                        throw a.failure;
                    }
                    if (!a.keepAlive) {
                        close(); // the answer stays readable in the Answer
                    }
                    return a;
                }
            } finally {
                if (body != null) {
                    body.release();
                }
            }
        }

        private void connect() throws IOException, InterruptedException {
            Answer a = new Answer();
            ChannelFuture f = bootstrap.clone().handler(new ChannelInitializer<>() {
                @Override
                protected void initChannel(Channel ch) {
                    ch.pipeline().addLast(new HttpClientCodec(), a);
                }
            }).connect();
            try {
                if (!f.await(CONNECT_TIMEOUT.toMillis() + 1_000)) {
                    f.channel().close();
                    throw new SocketTimeoutException("connect timed out after " + CONNECT_TIMEOUT.toMillis() + " ms");
                }
            } catch (InterruptedException e) {
                f.channel().close();
                throw e;
            }
            if (!f.isSuccess()) {
                Throwable cause = f.cause();
                if (cause instanceof io.netty.channel.ConnectTimeoutException) {
                    throw (SocketTimeoutException) new SocketTimeoutException(cause.getMessage()).initCause(cause);
                }
                if (cause instanceof ConnectException) { // Netty's AnnotatedConnectException: say it plainly
                    throw (ConnectException) new ConnectException(cause.getMessage()).initCause(cause);
                }
                throw asIoException(cause);
            }
            channel = f.channel();
            answer = a;
            connects++;
        }

        void close() {
            Channel c = channel;
            channel = null;
            answer = null;
            if (c != null) {
                c.close();
            }
        }
    }

    /**
     * The answer on one channel, collected by its event loop for the thread waiting on it: status, keep-alive and
     * the body (interim 1xx answers skipped). One request at a time; abandoned with its channel after a failure.
     */
    private static final class Answer extends SimpleChannelInboundHandler<HttpObject> {
        byte[] body = new byte[1024];
        int length;
        int status;
        boolean keepAlive;
        boolean started;      // some of the answer arrived
        IOException failure;
        private boolean interim;
        private Thread waiter;
        private volatile boolean inFlight; // a request went out and is not finished yet
        private volatile boolean done;

        /** Submitting thread, before writing a request: the fields are published by the write of inFlight. */
        void begin() {
            length = 0;
            status = 0;
            keepAlive = false;
            started = false;
            interim = false;
            failure = null;
            waiter = Thread.currentThread();
            done = false;
            inFlight = true;
        }

        /** Submitting thread: true once finished, false when {@code deadline} (nanoTime) passed first. */
        boolean await(long deadline) throws InterruptedException {
            while (!done) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                LockSupport.parkNanos(this, left);
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
            }
            return true;
        }

        /** Event loop: the request is answered ({@code failure} null) or failed; wakes the waiting thread. */
        void finish(IOException failure) {
            if (!inFlight) {
                return;
            }
            this.failure = failure;
            inFlight = false;
            done = true;
            LockSupport.unpark(waiter);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            if (!inFlight) {
                ctx.close(); // an answer nobody asked for: the channel is out of step
                return;
            }
            if (msg.decoderResult().isFailure()) {
                finish(new IOException("bad answer: " + describe(msg.decoderResult().cause())));
                ctx.close();
                return;
            }
            if (msg instanceof HttpResponse response) {
                int code = response.status().code();
                started = true;
                interim = code / 100 == 1;
                if (!interim) {
                    status = code;
                    keepAlive = HttpUtil.isKeepAlive(response);
                }
            }
            if (msg instanceof HttpContent content && !interim) {
                ByteBuf bytes = content.content();
                int n = bytes.readableBytes();
                if (length + n > MAX_BODY_BYTES) {
                    finish(new IOException("answer body over " + (MAX_BODY_BYTES >> 20) + " MiB"));
                    ctx.close();
                    return;
                }
                if (length + n > body.length) {
                    body = Arrays.copyOf(body, Math.max(length + n, body.length * 2));
                }
                bytes.readBytes(body, length, n);
                length += n;
            }
            if (msg instanceof LastHttpContent) {
                if (interim) {
                    interim = false;
                } else {
                    finish(null);
                }
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            finish(new EOFException("connection closed before the whole answer arrived"));
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            finish(asIoException(cause));
            ctx.close();
        }
    }

    /** The server closed a kept-alive channel under us: reset or closed, not a timeout or a bad answer. */
    private static boolean staleChannel(IOException e) {
        return e instanceof EOFException || e instanceof ClosedChannelException
               || (e instanceof SocketException && !(e instanceof ConnectException));
    }

    private static IOException asIoException(Throwable t) {
        return t instanceof IOException io ? io : new IOException(describe(t), t);
    }
}
