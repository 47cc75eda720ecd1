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
import io.netty.channel.EventLoop;
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
import io.netty.util.concurrent.ScheduledFuture;

import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The submit calls over Netty's HTTP/1.1 codec with one keep-alive channel per client (the default,
 * {@code --client netty}). Each client's channel stays on one event loop, which does all of that client's work: it
 * writes the request body with the client's Jackson generator straight into a pooled buffer
 * ({@link SubmitJson.Writer}), collects the answer's body into a byte array the channel reuses, reads a single
 * submit's {@code id}/{@code deliverAt} with Jackson's streaming parser, and hands the outcome to a callback that
 * sends the client's next request ({@link #submitAsync}, driven by {@link SubmitEngine}): one request in flight per
 * client, no pipelining, and no thread handoff per request. The blocking {@link #submit} waits for the same
 * callback (the probe, {@link RpcVsRest}, tests).
 *
 * <p>A channel is opened on first use and again after the server said {@code Connection: close} (Tomcat does every
 * 100 requests) or closed it, and after an error or a timeout. A request is sent a second time, once, only when it
 * went out on a reused channel that closed before any of the answer arrived: the server had closed the idle
 * connection and never read the request. Timeouts, bad answers and failures on a fresh channel are never retried.
 * Plain http only.
 */
final class NettyApiClient extends ApiClient {

    static final int MAX_BODY_BYTES = 64 << 20;
    /** How often a channel checks its request's deadline (at most; a tenth of the timeout when shorter). */
    private static final Duration TICK = Duration.ofMillis(100);
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
        // the event loops do all the client work, so one per core (at most one per client); native epoll where
        // there is one (less CPU per request than the JDK selector)
        int loops = Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), threads));
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
        Waiter<Object> w = new Waiter<>();
        c.onLoop(() -> c.exchange(HttpMethod.GET, PROBE_PATH, null, PROBE_TIMEOUT,
                (a, e) -> w.accept(e != null ? e : (Object) a.status)));
        Object result;
        try {
            result = w.await(c::abandon);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnreachableException("interrupted while probing " + base, e);
        } finally {
            c.abandon();
        }
        if (result instanceof Integer status) {
            String refusal = probeRefusal(base, appKey, status);
            if (refusal != null) {
                throw new UnreachableException(refusal, null);
            }
        } else if (result instanceof ConnectException e) {
            throw new UnreachableException("nothing answers at " + base + " (connection refused). Is the server "
                    + "running? Start it with scripts/run.sh, or pass --base.", e);
        } else if (result instanceof SocketTimeoutException e) {
            throw new UnreachableException(c.connects == 0
                    ? "nothing answers at " + base + " (connect timed out). Is the server running? Start it "
                      + "with scripts/run.sh, or pass --base."
                    : "the server at " + base + " accepted a connection but did not answer within 10 s", e);
        } else {
            IOException e = (IOException) result;
            throw new UnreachableException("cannot talk to " + base + ": " + describe(e), e);
        }
    }

    @Override
    Outcome submit(int thread, Message message) throws InterruptedException {
        Waiter<Outcome> w = new Waiter<>();
        submitAsync(thread, message, w);
        return w.await(() -> connections[thread % connections.length].abandon());
    }

    @Override
    List<Outcome> submitBatch(int thread, List<Message> messages) throws InterruptedException {
        Waiter<List<Outcome>> w = new Waiter<>();
        submitBatchAsync(thread, messages, w);
        return w.await(() -> connections[thread % connections.length].abandon());
    }

    @Override
    boolean asynchronous() {
        return true;
    }

    @Override
    void submitAsync(int thread, Message message, Consumer<Outcome> done) {
        Connection c = connections[thread % connections.length];
        c.onLoop(() -> c.post(SINGLE_PATH, () -> c.writer.single(ALLOC, message), timeout, (a, e) -> {
            if (e != null) {
                done.accept(Outcome.failed("transport " + describe(e)));
            } else if (a.status / 100 != 2) {
                done.accept(Outcome.failed(problem(a.status, a.body, 0, a.length)));
            } else {
                done.accept(SubmitJson.readAccepted(a.status, a.body, 0, a.length));
            }
        }));
    }

    @Override
    void submitBatchAsync(int thread, List<Message> messages, Consumer<List<Outcome>> done) {
        Connection c = connections[thread % connections.length];
        c.onLoop(() -> c.post(BATCH_PATH, () -> c.writer.batch(ALLOC, messages), timeout, (a, e) -> {
            if (e != null) {
                done.accept(allFailed(messages.size(), "transport " + describe(e)));
            } else if (a.status / 100 != 2) {
                done.accept(allFailed(messages.size(), problem(a.status, a.body, 0, a.length)));
            } else {
                done.accept(batchOutcomes(a.status, a.body, 0, a.length, messages.size()));
            }
        }));
    }

    @Override
    void later(int thread, Runnable task, long delayMs) {
        connections[thread % connections.length].loop.schedule(task, delayMs, TimeUnit.MILLISECONDS);
    }

    @Override
    String describeTransport() {
        return "netty, one keep-alive channel per client, driven by its event loop";
    }

    /** Channels opened and requests retried on a stale channel, over all threads (read after the run). */
    long[] connectionStats() {
        long connects = 0;
        long retries = 0;
        for (Connection c : connections) {
            Waiter<long[]> w = new Waiter<>();
            c.onLoop(() -> w.accept(new long[] {c.connects, c.retries}));
            long[] stats = w.awaitUninterruptibly();
            connects += stats[0];
            retries += stats[1];
        }
        return new long[] {connects, retries};
    }

    @Override
    public void close() {
        for (Connection c : connections) {
            c.abandon();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    /** What becomes of one request: the answer (valid during the call) or why there is none. */
    @FunctionalInterface
    private interface Done {
        void answered(Answer answer, IOException failure);
    }

    /** A request body, written on the event loop. */
    @FunctionalInterface
    private interface Body {
        ByteBuf write() throws IOException;
    }

    /** A caller blocked on an asynchronous call: {@link #probe}, the blocking submits and the unit tests. */
    private static final class Waiter<T> extends CompletableFuture<T> implements Consumer<T> {
        @Override
        public void accept(T value) {
            complete(value);
        }

        /** The call has its own timeout; on an interrupt {@code abandon} closes the channel. */
        T await(Runnable abandon) throws InterruptedException {
            try {
                return get();
            } catch (InterruptedException e) {
                abandon.run();
                throw e;
            } catch (ExecutionException e) {
                throw new IllegalStateException(describe(e.getCause()), e.getCause());
            }
        }

        T awaitUninterruptibly() {
            try {
                return join();
            } catch (CompletionException e) {
                throw new IllegalStateException(describe(e.getCause()), e.getCause());
            }
        }
    }

    /**
     * A client's channel (reopened as needed) and JSON writer. Everything here runs on the connection's own event
     * loop ({@link #onLoop}): the request is written, and the next one started by the answer's callback, on the
     * thread that read the answer, with no handoff to another thread in between.
     */
    private final class Connection {
        final SubmitJson.Writer writer = new SubmitJson.Writer();
        final EventLoop loop = group.next();
        private Channel channel;
        private Answer answer;
        private ScheduledFuture<?> ticker; // expires requests past their deadline
        long connects;
        long retries;

        void onLoop(Runnable task) {
            if (loop.inEventLoop()) {
                task.run();
            } else {
                loop.execute(task);
            }
        }

        /** Any thread: a request in flight fails (and is not sent again), the channel is closed. */
        void abandon() {
            onLoop(() -> {
                if (ticker != null) {
                    ticker.cancel(false);
                    ticker = null;
                }
                if (answer != null) {
                    answer.finish(new InterruptedIOException("abandoned by its caller"));
                }
                close();
            });
        }

        /** Event loop: {@link #exchange} of a POST; a body that cannot be written fails the request. */
        void post(String path, Body body, Duration wait, Done done) {
            ByteBuf bytes;
            try {
                bytes = body.write();
            } catch (IOException e) {
                done.answered(null, e);
                return;
            }
            exchange(HttpMethod.POST, path, bytes, wait, done);
        }

        /**
         * Event loop: sends one request and calls {@code done} with its whole answer or its failure, on this loop.
         * After a failure the channel is closed (the next call opens a new one).
         *
         * @param body released here; null for none (and no {@code Content-Length})
         */
        void exchange(HttpMethod method, String path, ByteBuf body, Duration wait, Done done) {
            Done release = (a, e) -> {
                if (body != null) {
                    body.release();
                }
                done.answered(a, e);
            };
            attempt(0, method, path, body, wait, release);
        }

        private void attempt(int attempt, HttpMethod method, String path, ByteBuf body, Duration wait, Done done) {
            if (channel != null && channel.isActive()) {
                send(attempt, true, method, path, body, wait, done);
                return;
            }
            close();
            ChannelFuture f = connect();
            f.addListener(x -> {
                if (!f.isSuccess()) {
                    done.answered(null, connectFailure(f.cause()));
                    return;
                }
                channel = f.channel();
                answer = (Answer) channel.pipeline().last();
                connects++;
                send(attempt, false, method, path, body, wait, done);
            });
        }

        private void send(int attempt, boolean reused, HttpMethod method, String path, ByteBuf body, Duration wait,
                          Done done) {
            Answer a = answer;
            Channel ch = channel;
            FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, path,
                    body == null ? Unpooled.EMPTY_BUFFER : body.retainedDuplicate(), false);
            request.headers().set(body == null ? getHeaders : postHeaders);
            if (body != null) {
                HttpUtil.setContentLength(request, body.readableBytes());
            }
            a.begin((answered, failure) -> {
                if (failure != null) {
                    if (channel == ch) {
                        close();
                    }
                    if (attempt == 0 && reused && !answered.started && staleChannel(failure)) {
                        retries++;
                        attempt(1, method, path, body, wait, done);
                        return;
                    }
                    done.answered(null, failure);
                    return;
                }
                if (!answered.keepAlive && channel == ch) {
                    close(); // the answer stays readable in the Answer
                }
                done.answered(answered, null);
            }, System.nanoTime() + wait.toNanos(), wait.toMillis());
            if (ticker == null) {
                // one periodic check per channel rather than a timer per request: a timer set and cancelled per
                // request moves the loop's next deadline (a timerfd_settime call) on every answer
                long tick = Math.max(TimeUnit.MILLISECONDS.toNanos(1), Math.min(TICK.toNanos(), wait.toNanos() / 10));
                ticker = loop.scheduleAtFixedRate(this::tick, tick, tick, TimeUnit.NANOSECONDS);
            }
            ch.writeAndFlush(request, ch.voidPromise()); // a failed write goes to exceptionCaught
        }

        private void tick() {
            Answer a = answer;
            if (a != null) {
                a.expire(System.nanoTime());
            }
        }

        private ChannelFuture connect() {
            return bootstrap.clone(loop).handler(new ChannelInitializer<>() {
                @Override
                protected void initChannel(Channel ch) {
                    ch.pipeline().addLast(new HttpClientCodec(), new Answer());
                }
            }).connect();
        }

        /** Closes the channel; a request in flight on it fails (its channel went inactive). */
        void close() {
            Channel c = channel;
            channel = null;
            answer = null;
            if (c != null) {
                c.close();
            }
        }
    }

    private static IOException connectFailure(Throwable cause) {
        if (cause instanceof io.netty.channel.ConnectTimeoutException) {
            return (SocketTimeoutException) new SocketTimeoutException(cause.getMessage()).initCause(cause);
        }
        if (cause instanceof ConnectException) { // Netty's AnnotatedConnectException: say it plainly
            return (ConnectException) new ConnectException(cause.getMessage()).initCause(cause);
        }
        return asIoException(cause);
    }

    /**
     * The answer on one channel, collected by its event loop: status, keep-alive and the body (interim 1xx answers
     * skipped). One request at a time; abandoned with its channel after a failure. Touched by its loop only.
     */
    private static final class Answer extends SimpleChannelInboundHandler<HttpObject> {
        byte[] body = new byte[1024];
        int length;
        int status;
        boolean keepAlive;
        boolean started;      // some of the answer arrived
        private boolean interim;
        private Done done;    // non-null while a request is in flight
        private long deadline; // nanoTime
        private long waitMs;

        /** Before writing a request: {@code done} is called once, by {@link #finish} or {@link #expire}. */
        void begin(Done done, long deadline, long waitMs) {
            length = 0;
            status = 0;
            keepAlive = false;
            started = false;
            interim = false;
            this.done = done;
            this.deadline = deadline;
            this.waitMs = waitMs;
        }

        /** Fails the request in flight once its deadline passed. */
        void expire(long now) {
            if (done != null && now - deadline >= 0) {
                finish(new SocketTimeoutException("no answer within " + waitMs + " ms"));
            }
        }

        /** The request is answered ({@code failure} null) or failed; a later call for it does nothing. */
        void finish(IOException failure) {
            Done d = done;
            if (d == null) {
                return;
            }
            done = null;
            d.answered(this, failure);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            if (done == null) {
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
