package io.hourglass.exporter.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.hourglass.core.engine.AppDirectory;
import io.hourglass.core.error.AuthenticationException;
import io.hourglass.core.model.App;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The door of the HTTP API: what every request to the app API ({@code /api/v1/messages/**}, {@code /delay/*}) passes
 * before a handler sees it, in this order:
 * <ol>
 *   <li>a client address with too many failed authentications is answered 429 {@code auth-throttled};</li>
 *   <li>the app is authenticated from the headers ({@code X-App-Key}, {@code X-App-Secret}; the original endpoints
 *       may name the app in the {@code appKey} query parameter instead), <b>before one byte of the body is read</b>;
 *       a failure is a 401 and counts against the address;</li>
 *   <li>the body is capped ({@code max-body-bytes}, or {@code max-batch-body-bytes} for a batch): a declared length
 *       over the cap is a 413 at once, a streamed body is cut off at the cap (413);</li>
 *   <li>the body is read with servlet non-blocking I/O, so a client trickling bytes holds no request thread, and
 *       must be complete within {@code body-read-timeout} (408 otherwise);</li>
 *   <li>its bytes count against {@code max-in-flight-bytes} from the first byte until the answer is sent: over the
 *       budget the request is answered 503 {@code overloaded} with Retry-After, never an OutOfMemoryError.</li>
 * </ol>
 * Then the request is dispatched again with the body in memory ({@link BufferedBodyRequest}) and the authenticated
 * app as a request attribute ({@link AppArgumentResolver} hands it to the handler).
 *
 * <p>Other bodies (the admin API, the internal routing endpoint) are capped at {@code max-body-bytes} too, by their
 * declared length and as they stream; they are authenticated by their own filters.
 */
final class RequestGate implements Filter {

    private static final Logger log = LoggerFactory.getLogger(RequestGate.class);

    /** Request attribute: the authenticated {@link App}. */
    static final String APP_ATTRIBUTE = RequestGate.class.getName() + ".app";
    private static final String BODY_ATTRIBUTE = RequestGate.class.getName() + ".body";
    private static final int READ_CHUNK = 8192;

    private final AppDirectory apps;
    private final ProblemHandler problems;
    private final ObjectMapper json;
    private final EdgeProperties limits;
    private final AuthFailureThrottle throttle;
    private final AtomicLong inFlight = new AtomicLong();
    private final long inFlightBudget;

    RequestGate(AppDirectory apps, ProblemHandler problems, ObjectMapper json, EdgeProperties limits,
                AuthFailureThrottle throttle) {
        this.apps = apps;
        this.problems = problems;
        this.json = json;
        this.limits = limits;
        this.throttle = throttle;
        this.inFlightBudget = limits.inFlightBudget();
    }

    /** Client addresses with failed authentications tracked now (for tests). */
    long throttledAddresses() {
        return throttle.trackedAddresses();
    }

    /** Body bytes held now (for tests and the gauge). */
    long inFlightBytes() {
        return inFlight.get();
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        HttpServletRequest req = (HttpServletRequest) request;
        HttpServletResponse res = (HttpServletResponse) response;
        if (req.getDispatcherType() == DispatcherType.ASYNC) {
            Object body = req.getAttribute(BODY_ATTRIBUTE);
            if (body instanceof byte[] bytes) { // the dispatch that follows our own read
                req.removeAttribute(BODY_ATTRIBUTE);
                BufferedBodyRequest buffered;
                try {
                    buffered = new BufferedBodyRequest(req, bytes);
                } catch (IllegalArgumentException e) {
                    refuse(req, res, ProblemType.BAD_REQUEST, "The form body is not valid URL encoding", null);
                    return;
                }
                chain.doFilter(buffered, res);
                return;
            }
            chain.doFilter(req, res);
            return;
        }
        if (req.getDispatcherType() != DispatcherType.REQUEST) {
            chain.doFilter(req, res);
            return;
        }
        String path = req.getRequestURI().substring(Math.min(req.getContextPath().length(), req.getRequestURI().length()));
        boolean appApi = path.startsWith(MessagesController.BASE_PATH) || path.startsWith(SeedController.BASE_PATH + "/");
        if (!appApi) {
            if (hasBody(req)) {
                capSynchronously(req, res, chain);
            } else {
                chain.doFilter(req, res);
            }
            return;
        }
        String address = req.getRemoteAddr();
        long wait = throttle.retryAfterSeconds(address);
        if (wait > 0) {
            refuse(req, res, ProblemType.AUTH_THROTTLED, "Too many failed authentications from this address; retry in "
                    + wait + " s", Map.of(HttpHeaders.RETRY_AFTER, Long.toString(wait)));
            return;
        }
        App app;
        try {
            app = apps.authenticate(appKeyOf(req, path), req.getHeader(AppArgumentResolver.APP_SECRET_HEADER));
        } catch (AuthenticationException e) {
            throttle.failed(address);
            refuse(req, res, ProblemHandler.describe(e), null);
            return;
        } catch (RuntimeException e) {
            refuse(req, res, ProblemHandler.describe(e), null);
            return;
        }
        req.setAttribute(APP_ATTRIBUTE, app);
        if (!hasBody(req)) {
            chain.doFilter(req, res);
            return;
        }
        boolean batch = path.equals(MessagesController.BASE_PATH + "/batch");
        Cap cap = batch ? new Cap(limits.maxBatchBodyBytes().toBytes(), "max-batch-body-bytes")
                : new Cap(limits.maxBodyBytes().toBytes(), "max-body-bytes");
        long declared = req.getContentLengthLong();
        if (declared > cap.bytes()) {
            tooLarge(req, res, cap);
            return;
        }
        if (declared > 0 && !reserve(declared)) {
            overloaded(req, res);
            return;
        }
        readAsync(req, res, cap, Math.max(declared, 0));
    }

    private static boolean hasBody(HttpServletRequest req) {
        return req.getContentLengthLong() > 0 || req.getHeader("Transfer-Encoding") != null;
    }

    /** The app key of the headers, or for the original endpoints the {@code appKey} of the query string. */
    private static String appKeyOf(HttpServletRequest req, String path) {
        String header = req.getHeader(AppArgumentResolver.APP_KEY_HEADER);
        if ((header == null || header.isBlank()) && path.startsWith(SeedController.BASE_PATH + "/")) {
            Map<String, List<String>> query = new LinkedHashMap<>();
            try {
                BufferedBodyRequest.addUrlEncoded(req.getQueryString(), StandardCharsets.UTF_8, query);
            } catch (IllegalArgumentException e) {
                return null;
            }
            List<String> keys = query.get("appKey");
            return keys == null || keys.isEmpty() ? null : keys.get(0);
        }
        return header;
    }

    private boolean reserve(long bytes) {
        long after = inFlight.addAndGet(bytes);
        if (after > inFlightBudget) {
            inFlight.addAndGet(-bytes);
            return false;
        }
        return true;
    }

    /** A body size limit and the name of its property. */
    private record Cap(long bytes, String property) {
    }

    private void readAsync(HttpServletRequest req, HttpServletResponse res, Cap cap, long reserved) throws IOException {
        AsyncContext async = req.startAsync(req, res);
        async.setTimeout(limits.bodyReadTimeout().toMillis());
        BodyReader reader = new BodyReader(req, res, async, cap, reserved);
        async.addListener(reader);
        req.getInputStream().setReadListener(reader);
    }

    /** Reads one body as it arrives; answers and ends the request itself when it must be refused. */
    private final class BodyReader implements ReadListener, AsyncListener {

        private final HttpServletRequest req;
        private final HttpServletResponse res;
        private final AsyncContext async;
        private final Cap cap;
        private final ServletInputStream in;
        private final BodyBuffer body;
        private final byte[] chunk = new byte[READ_CHUNK];
        private final AtomicBoolean finished = new AtomicBoolean();
        private final AtomicBoolean released = new AtomicBoolean();
        /** Bytes reserved for this request (the declared length up front, or each chunk as it comes). */
        private long reserved;

        BodyReader(HttpServletRequest req, HttpServletResponse res, AsyncContext async, Cap cap, long reserved)
                throws IOException {
            this.req = req;
            this.res = res;
            this.async = async;
            this.cap = cap;
            this.reserved = reserved;
            this.in = req.getInputStream();
            this.body = new BodyBuffer((int) Math.min(Math.max(reserved, 256), cap.bytes()));
        }

        @Override
        public void onDataAvailable() throws IOException {
            while (!finished.get() && in.isReady()) {
                int n = in.read(chunk);
                if (n < 0) {
                    return; // onAllDataRead follows
                }
                if (body.size() + (long) n > cap.bytes()) {
                    end(() -> tooLarge(req, res, cap));
                    return;
                }
                long beyondReserved = body.size() + (long) n - reserved;
                if (beyondReserved > 0) {
                    if (!reserve(beyondReserved)) {
                        end(() -> overloaded(req, res));
                        return;
                    }
                    reserved += beyondReserved;
                }
                body.write(chunk, 0, n);
            }
        }

        @Override
        public void onAllDataRead() {
            if (finished.compareAndSet(false, true)) {
                req.setAttribute(BODY_ATTRIBUTE, body.bytes());
                async.dispatch(); // the handler runs on a container thread, with the body in memory
            }
        }

        @Override
        public void onError(Throwable t) {
            // broken framing (an invalid chunk, a body shorter than declared at end of stream), or the client left
            log.debug("[path={}] reading the body failed: {}", req.getRequestURI(), t.toString());
            end(() -> {
                if (!res.isCommitted()) {
                    refuse(req, res, ProblemType.BAD_REQUEST, "The request body could not be read: it is not framed"
                            + " as its headers say (Content-Length, Transfer-Encoding)", null);
                }
            });
        }

        @Override
        public void onTimeout(AsyncEvent event) {
            if (finished.get()) {
                return; // the timeout of a later cycle; its owner answers it
            }
            end(() -> refuse(req, res, ProblemType.REQUEST_TIMEOUT, "The request body was not received within "
                    + limits.bodyReadTimeout().toMillis() + " ms (delay.exporter.http.body-read-timeout)", null));
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
            // the handler started a cycle of its own (an asynchronous answer): stay to release the bytes at its end
            event.getAsyncContext().addListener(this);
        }

        @Override
        public void onComplete(AsyncEvent event) {
            release();
        }

        @Override
        public void onError(AsyncEvent event) {
            release();
        }

        private void end(IoAction answer) {
            if (!finished.compareAndSet(false, true)) {
                return;
            }
            try {
                res.setHeader(HttpHeaders.CONNECTION, "close"); // the rest of the body is not read
                answer.run();
            } catch (IOException | RuntimeException e) {
                log.debug("[path={}] could not answer: {}", req.getRequestURI(), e.toString());
            } finally {
                release();
                completeQuietly();
            }
        }

        private void release() {
            if (released.compareAndSet(false, true)) {
                inFlight.addAndGet(-reserved);
            }
        }

        private void completeQuietly() {
            try {
                async.complete();
            } catch (IllegalStateException e) {
                // already completed or dispatched
            }
        }
    }

    /**
     * A growing byte buffer that hands over its array without a copy when the body filled it exactly (a declared
     * Content-Length), so a body is held once, not twice, while it is dispatched.
     */
    private static final class BodyBuffer {
        private byte[] bytes;
        private int size;

        BodyBuffer(int initial) {
            bytes = new byte[initial];
        }

        int size() {
            return size;
        }

        void write(byte[] from, int offset, int length) {
            if (size + length > bytes.length) {
                bytes = java.util.Arrays.copyOf(bytes, Math.max(size + length, bytes.length * 2));
            }
            System.arraycopy(from, offset, bytes, size, length);
            size += length;
        }

        byte[] bytes() {
            return size == bytes.length ? bytes : java.util.Arrays.copyOf(bytes, size);
        }
    }

    @FunctionalInterface
    private interface IoAction {
        void run() throws IOException;
    }

    /** Bodies outside the app API: capped by declared length and as they stream, read by their handlers. */
    private void capSynchronously(HttpServletRequest req, HttpServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        Cap cap = new Cap(limits.maxBodyBytes().toBytes(), "max-body-bytes");
        if (req.getContentLengthLong() > cap.bytes()) {
            tooLarge(req, res, cap);
            return;
        }
        chain.doFilter(new CappedBodyRequest(req, cap.bytes()), res);
    }

    private void tooLarge(HttpServletRequest req, HttpServletResponse res, Cap cap) throws IOException {
        res.setHeader(HttpHeaders.CONNECTION, "close");
        refuse(req, res, ProblemType.REQUEST_TOO_LARGE, "The request body is larger than " + cap.bytes() + " bytes"
                + " (delay.exporter.http." + cap.property() + ")", null);
    }

    private void overloaded(HttpServletRequest req, HttpServletResponse res) throws IOException {
        res.setHeader(HttpHeaders.CONNECTION, "close");
        refuse(req, res, ProblemType.OVERLOADED, "Too many request bytes in flight on this server"
                + " (delay.exporter.http.max-in-flight-bytes); retry with the same Idempotency-Key", null);
    }

    private void refuse(HttpServletRequest req, HttpServletResponse res, ProblemType type, String detail,
                        Map<String, String> headers) throws IOException {
        refuse(req, res, ProblemHandler.Failure.of(type, detail), headers);
    }

    private void refuse(HttpServletRequest req, HttpServletResponse res, ProblemHandler.Failure failure,
                        Map<String, String> headers) throws IOException {
        HttpHeaders out = new HttpHeaders();
        if (headers != null) {
            headers.forEach(out::set);
        }
        problems.writeDirect(req, res, failure, out, json);
    }

    /** A request whose body stops with an error past {@code cap} bytes. */
    private static final class CappedBodyRequest extends HttpServletRequestWrapper {

        private final long cap;
        private ServletInputStream capped;

        CappedBodyRequest(HttpServletRequest request, long cap) {
            super(request);
            this.cap = cap;
        }

        @Override
        public ServletInputStream getInputStream() throws IOException {
            if (capped == null) {
                ServletInputStream raw = super.getInputStream();
                capped = new ServletInputStream() {
                    private long read;

                    @Override
                    public boolean isFinished() {
                        return raw.isFinished();
                    }

                    @Override
                    public boolean isReady() {
                        return raw.isReady();
                    }

                    @Override
                    public void setReadListener(ReadListener listener) {
                        raw.setReadListener(listener);
                    }

                    @Override
                    public int read() throws IOException {
                        int b = raw.read();
                        if (b >= 0) {
                            count(1);
                        }
                        return b;
                    }

                    @Override
                    public int read(byte[] b, int off, int len) throws IOException {
                        int n = raw.read(b, off, len);
                        if (n > 0) {
                            count(n);
                        }
                        return n;
                    }

                    private void count(int n) throws IOException {
                        read += n;
                        if (read > cap) {
                            throw new BodyTooLargeException("The request body is larger than " + cap
                                    + " bytes (delay.exporter.http.max-body-bytes)");
                        }
                    }
                };
            }
            return capped;
        }

        @Override
        public java.io.BufferedReader getReader() throws IOException {
            String encoding = getCharacterEncoding();
            InputStream in = getInputStream();
            return new java.io.BufferedReader(new java.io.InputStreamReader(in,
                    encoding == null ? StandardCharsets.UTF_8 : java.nio.charset.Charset.forName(encoding)));
        }
    }
}
