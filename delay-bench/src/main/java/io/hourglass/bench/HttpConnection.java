package io.hourglass.bench;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One HTTP/1.1 keep-alive connection over a plain blocking {@link Socket} ({@code TCP_NODELAY}), used by one
 * thread at a time. A request is assembled in a reused buffer (a pre-built head, {@code Content-Length}, an
 * optional {@code Idempotency-Key}, the body) and written with one {@code write}; the answer is read by a reused
 * {@link HttpResponseReader}. The connection is opened on first use and again after the server said
 * {@code Connection: close}, after an error, or after it sat idle for {@value #IDLE_RECONNECT_MS} ms.
 *
 * <p>A request is sent again, once, only when it went out on a reused connection and the connection failed
 * (reset, or closed) before a single byte of the answer arrived: the server closed the idle connection, so it
 * never read the request. Timeouts, protocol errors and failures on a fresh connection are never retried.
 *
 * <p>Timeouts are kept by a {@link Watchdog} thread rather than by the socket: it closes the socket of a request
 * past its deadline (connect: the connect timeout; send and answer: the read timeout), and the request fails with a
 * {@link SocketTimeoutException}. A socket with {@code SO_TIMEOUT} (or connected with a timeout) is switched to
 * non-blocking mode by the JDK and every read becomes read + poll + read; without, a read is one blocking system
 * call, which saves a few microseconds of CPU per request.
 */
final class HttpConnection implements Closeable {

    /** Reconnect instead of reusing a connection idle this long (servers close idle ones after 20-60 s). */
    static final long IDLE_RECONNECT_MS = 5_000;

    private static final byte[] CONTENT_LENGTH = ascii("Content-Length: ");
    private static final byte[] IDEMPOTENCY_KEY = ascii("Idempotency-Key: ");
    private static final byte[] CRLF = ascii("\r\n");

    /** Where to connect and how long to wait; shared by the connections of a client. */
    record Target(InetAddress[] addresses, int port, String authority, int connectTimeoutMs, int readTimeoutMs) {

        /** The target of {@code http://host:port} (the host resolved once, here). */
        static Target of(URI base, int connectTimeoutMs, int readTimeoutMs) throws UnknownHostException {
            if (!"http".equals(base.getScheme())) {
                throw new IllegalArgumentException("plain http only, got " + base);
            }
            String host = base.getHost();
            String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
            int port = base.getPort() == -1 ? 80 : base.getPort();
            return new Target(InetAddress.getAllByName(bare), port, host + ":" + port, connectTimeoutMs, readTimeoutMs);
        }
    }

    /**
     * Enforces the deadlines of the connections registered with it: every {@value #PERIOD_MS} ms it closes the
     * socket of each connection whose request is overdue. One daemon thread; {@link #close} stops it.
     */
    static final class Watchdog implements AutoCloseable {
        static final long PERIOD_MS = 50;

        private final List<HttpConnection> connections = new CopyOnWriteArrayList<>();
        private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "bench-http-watchdog");
            t.setDaemon(true);
            return t;
        });

        Watchdog() {
            timer.scheduleWithFixedDelay(this::check, PERIOD_MS, PERIOD_MS, TimeUnit.MILLISECONDS);
        }

        private void check() {
            long now = System.nanoTime();
            for (HttpConnection c : connections) {
                c.expireIfOverdue(now);
            }
        }

        void register(HttpConnection c) {
            connections.add(c);
        }

        void unregister(HttpConnection c) {
            connections.remove(c);
        }

        @Override
        public void close() {
            timer.shutdownNow();
        }
    }

    /**
     * The fixed part of a request: request line, {@code Host} and {@code headers} (name, value, name, value...),
     * each line ending in CRLF, without the blank line that ends the head.
     */
    static byte[] head(String method, String path, String authority, String... headers) {
        if (headers.length % 2 != 0) {
            throw new IllegalArgumentException("headers come in name, value pairs");
        }
        StringBuilder sb = new StringBuilder(128);
        sb.append(token(method)).append(' ').append(requireHeaderText(path, "path")).append(" HTTP/1.1\r\n");
        sb.append("Host: ").append(requireHeaderText(authority, "Host")).append("\r\n");
        for (int i = 0; i < headers.length; i += 2) {
            sb.append(token(headers[i])).append(": ").append(requireHeaderText(headers[i + 1], headers[i])).append("\r\n");
        }
        return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private static final long IDLE = 0;

    private final Target target;
    private final Watchdog watchdog;
    private final HttpResponseReader reader = new HttpResponseReader(16 * 1024);
    private final SubmitJson.Sink request = new SubmitJson.Sink(1024);
    private volatile Socket socket; // written by the owning thread, closed by the watchdog when overdue
    private OutputStream out;
    private long lastUsedNanos;
    private long connects;
    private long retries;
    /** nanoTime by which the current step must be done, or IDLE; written with lazySet (no fence) by the owner. */
    private final AtomicLong deadline = new AtomicLong(IDLE);
    private volatile boolean expired;

    /** A connection whose timeouts {@code watchdog} keeps (it registers here; {@link #close} unregisters). */
    HttpConnection(Target target, Watchdog watchdog) {
        this.target = target;
        this.watchdog = watchdog;
        watchdog.register(this);
    }

    /**
     * Sends one request and reads its answer.
     *
     * @param head           from {@link #head}
     * @param idempotencyKey sent as {@code Idempotency-Key} unless null
     * @param body           the body, sent with its {@code Content-Length}; null for none (and no header)
     * @return the reader holding the answer, valid until the next call
     * @throws IOException the request failed; the connection is closed (the next call opens a new one)
     */
    HttpResponseReader exchange(byte[] head, String idempotencyKey, byte[] body, int bodyOffset, int bodyLength,
                                boolean headRequest) throws IOException {
        SubmitJson.Sink r = request;
        r.reset();
        r.put(head);
        if (body != null) {
            r.put(CONTENT_LENGTH);
            r.putLong(bodyLength);
            r.put(CRLF);
        }
        if (idempotencyKey != null) {
            r.put(IDEMPOTENCY_KEY);
            r.put(requireHeaderText(idempotencyKey, "Idempotency-Key").getBytes(StandardCharsets.ISO_8859_1));
            r.put(CRLF);
        }
        r.put(CRLF);
        if (body != null) {
            r.put(body, bodyOffset, bodyLength);
        }
        for (int attempt = 0; ; attempt++) { // at most two attempts: the retry needs a reused connection
            long now = System.nanoTime();
            if (socket != null && now - lastUsedNanos > IDLE_RECONNECT_MS * 1_000_000) {
                closeSocket();
            }
            boolean reused = socket != null;
            if (!reused) {
                connect();
                now = System.nanoTime();
            }
            boolean sent = false;
            expired = false;
            deadline.lazySet(now + target.readTimeoutMs() * 1_000_000L);
            try {
                out.write(r.bytes, 0, r.size);
                sent = true;
                reader.read(headRequest);
            } catch (IOException e) {
                deadline.lazySet(IDLE);
                closeSocket();
                if (expired) {
                    throw timedOut("no answer within " + target.readTimeoutMs() + " ms", e);
                }
                if (attempt == 0 && reused && (!sent || !reader.started()) && staleConnection(e)) {
                    retries++;
                    continue;
                }
                throw e;
            }
            deadline.lazySet(IDLE);
            lastUsedNanos = System.nanoTime();
            if (!reader.keepAlive() || reader.buffered() > 0) {
                closeSocket(); // the answer stays readable in the reader's buffers
            }
            return reader;
        }
    }

    /** Watchdog thread: closes the socket when the current step is overdue. */
    private void expireIfOverdue(long now) {
        long d = deadline.get();
        Socket s = socket;
        if (d != IDLE && now - d > 0 && s != null) {
            expired = true;
            try {
                s.close(); // a blocked connect, write or read fails at once
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    private static SocketTimeoutException timedOut(String message, IOException cause) {
        SocketTimeoutException e = new SocketTimeoutException(message);
        e.initCause(cause);
        return e;
    }

    /** Connections opened so far. */
    long connects() {
        return connects;
    }

    /** Requests sent again after a reused connection turned out to be closed. */
    long retries() {
        return retries;
    }

    /** Closes the socket (if open) and stops the watchdog looking at this connection. */
    @Override
    public void close() {
        closeSocket();
        watchdog.unregister(this);
    }

    private void closeSocket() {
        Socket s = socket;
        socket = null;
        out = null;
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    /** Opens the socket: blocking mode, no SO_TIMEOUT (the watchdog keeps the connect timeout). */
    private void connect() throws IOException {
        IOException failure = null;
        for (InetAddress address : target.addresses()) {
            Socket s = new Socket();
            expired = false;
            socket = s; // so that the watchdog can close it
            deadline.lazySet(System.nanoTime() + target.connectTimeoutMs() * 1_000_000L);
            try {
                s.setTcpNoDelay(true);
                s.connect(new InetSocketAddress(address, target.port()));
                deadline.lazySet(IDLE);
                out = s.getOutputStream();
                reader.reset(s.getInputStream());
                connects++;
                return;
            } catch (IOException e) {
                deadline.lazySet(IDLE);
                closeSocket();
                failure = expired ? timedOut("connect timed out after " + target.connectTimeoutMs() + " ms", e) : e;
            }
        }
        throw failure != null ? failure : new UnknownHostException("no address for " + target.authority());
    }

    /** The server closed a kept-alive connection under us: reset or end of stream, not a timeout or bad answer. */
    private static boolean staleConnection(IOException e) {
        return e instanceof EOFException || (e instanceof SocketException && !(e instanceof java.net.ConnectException));
    }

    private static String token(String s) {
        if (s.isEmpty()) {
            throw new IllegalArgumentException("empty header name or method");
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= ' ' || c >= 0x7f || "()<>@,;:\\\"/[]?={}".indexOf(c) >= 0) {
                throw new IllegalArgumentException("not an HTTP token: '" + s + "'");
            }
        }
        return s;
    }

    /** Refuses text that would break the request: control characters (CR, LF...) or non-Latin-1. */
    static String requireHeaderText(String s, String what) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7f || c > 0xff) {
                throw new IllegalArgumentException(what + " holds a character that cannot go into an HTTP header");
            }
        }
        return s;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
