package io.hourglass.bench;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads HTTP/1.1 responses, one after another, from one connection into reused buffers: status line, headers
 * (only {@code Content-Length}, {@code Transfer-Encoding} and {@code Connection} are looked at) and the body,
 * framed as RFC 9112 section 6.3 says: no body for 1xx/204/304, chunked, Content-Length, or up to the end of the
 * stream. Interim 1xx answers are skipped. Bytes read past the end of one response stay buffered for the next.
 *
 * <p>After {@link #read} the body is {@code body()[bodyOffset(), bodyOffset() + bodyLength())}; it stays valid
 * until the next {@link #read} or {@link #reset}. Not thread-safe: one reader per connection, one thread at a time.
 */
final class HttpResponseReader {

    /** A response that is not HTTP/1.x as this reader understands it; the connection cannot be used any more. */
    static final class ProtocolException extends IOException {
        ProtocolException(String message) {
            super(message);
        }
    }

    static final int MAX_HEADER_BYTES = 64 * 1024;
    static final int MAX_BODY_BYTES = 64 << 20;
    private static final int MAX_CHUNK_LINE = 1024;
    private static final int MAX_INTERIM_RESPONSES = 16;
    private static final byte[] CONTENT_LENGTH = ascii("content-length");
    private static final byte[] TRANSFER_ENCODING = ascii("transfer-encoding");
    private static final byte[] CONNECTION = ascii("connection");
    private static final byte[] CHUNKED = ascii("chunked");
    private static final byte[] CLOSE = ascii("close");
    private static final byte[] KEEP_ALIVE = ascii("keep-alive");

    private InputStream in;
    private byte[] buf;
    private int pos;
    private int lim;
    private byte[] chunked = new byte[0]; // the decoded body of a chunked response
    private long received; // bytes read from the stream since read() began

    // the response last read
    private int status;
    private boolean keepAlive;
    private byte[] body;
    private int bodyOffset;
    private int bodyLength;

    HttpResponseReader(int initialBufferBytes) {
        this.buf = new byte[Math.max(256, initialBufferBytes)];
    }

    /** Starts over on a new stream (a new connection): whatever was buffered from the old one is dropped. */
    void reset(InputStream stream) {
        this.in = stream;
        pos = 0;
        lim = 0;
        body = buf;
        bodyOffset = 0;
        bodyLength = 0;
    }

    /**
     * Reads the next final response.
     *
     * @param headRequest whether it answers a HEAD request (no body whatever the headers say)
     * @throws EOFException       the stream ended before the response did ({@link #started()} tells whether any of
     *                            it had arrived)
     * @throws ProtocolException  the bytes are not a response this reader can frame
     */
    void read(boolean headRequest) throws IOException {
        received = 0;
        bodyLength = 0;
        bodyOffset = 0;
        body = buf;
        for (int interim = 0; ; interim++) {
            if (readHead(headRequest)) {
                return;
            }
            if (interim >= MAX_INTERIM_RESPONSES) {
                throw new ProtocolException("more than " + MAX_INTERIM_RESPONSES + " interim 1xx responses");
            }
        }
    }

    /** Whether any byte of the response being read had arrived (or was buffered) when {@link #read} failed. */
    boolean started() {
        return received > 0 || lim > pos;
    }

    /** Bytes received beyond the last response (a well-behaved server sends none to a client that does not pipeline). */
    int buffered() {
        return lim - pos;
    }

    int status() {
        return status;
    }

    /** Whether the connection may carry another request (HTTP/1.1 without {@code Connection: close}, body framed). */
    boolean keepAlive() {
        return keepAlive;
    }

    byte[] body() {
        return body;
    }

    int bodyOffset() {
        return bodyOffset;
    }

    int bodyLength() {
        return bodyLength;
    }

    /** The body as UTF-8 text (allocates; for errors and tests). */
    String bodyText() {
        return new String(body, bodyOffset, bodyLength, StandardCharsets.UTF_8);
    }

    // ---------------------------------------------------------------- head

    /** Reads one status line, headers and body; false for an interim 1xx response (already consumed). */
    private boolean readHead(boolean headRequest) throws IOException {
        int headerBudget = MAX_HEADER_BYTES;
        int lf = lineEnd(headerBudget);
        headerBudget -= lf - pos + 1;
        int end = trimCr(pos, lf);
        // "HTTP/1.1 201 Created": version, space, three digits, then a space or the end of the line
        if (end - pos < 12 || !startsWith(buf, pos, "HTTP/1.") || !isDigit(buf[pos + 7]) || buf[pos + 8] != ' '
                || !isDigit(buf[pos + 9]) || !isDigit(buf[pos + 10]) || !isDigit(buf[pos + 11])
                || (end - pos > 12 && buf[pos + 12] != ' ')) {
            throw new ProtocolException("not an HTTP/1.x status line: '" + printable(pos, end) + "'");
        }
        boolean http10 = buf[pos + 7] == '0';
        int code = (buf[pos + 9] - '0') * 100 + (buf[pos + 10] - '0') * 10 + (buf[pos + 11] - '0');
        pos = lf + 1;

        long contentLength = -1;
        boolean chunkedCoding = false;
        boolean otherCoding = false;
        boolean close = false;
        boolean keepAliveToken = false;
        for (int lines = 0; ; lines++) { // bounded by headerBudget: every line consumes at least one byte
            lf = lineEnd(headerBudget);
            headerBudget -= lf - pos + 1;
            end = trimCr(pos, lf);
            if (end == pos) {
                pos = lf + 1;
                break;
            }
            int colon = indexOf(buf, pos, end, (byte) ':');
            if (colon <= pos || buf[pos] == ' ' || buf[pos] == '\t') {
                throw new ProtocolException("malformed header line '" + printable(pos, end) + "'");
            }
            int vs = colon + 1;
            int ve = end;
            while (vs < ve && isOws(buf[vs])) {
                vs++;
            }
            while (ve > vs && isOws(buf[ve - 1])) {
                ve--;
            }
            if (nameIs(pos, colon, CONTENT_LENGTH)) {
                long length = parseDecimal(vs, ve);
                if (length < 0 || (contentLength >= 0 && contentLength != length)) {
                    throw new ProtocolException("bad Content-Length '" + printable(vs, ve) + "'");
                }
                contentLength = length;
            } else if (nameIs(pos, colon, TRANSFER_ENCODING)) {
                // the last coding decides the framing: chunked, or anything else = read to the end of the stream
                int last = lastTokenStart(vs, ve);
                boolean isChunked = tokenIs(last, ve, CHUNKED);
                chunkedCoding = isChunked;
                otherCoding = !isChunked && ve > vs;
            } else if (nameIs(pos, colon, CONNECTION)) {
                close |= hasToken(vs, ve, CLOSE);
                keepAliveToken |= hasToken(vs, ve, KEEP_ALIVE);
            }
            pos = lf + 1;
        }

        status = code;
        if (code / 100 == 1) {
            if (code == 101) {
                throw new ProtocolException("unexpected 101 Switching Protocols");
            }
            return false;
        }
        keepAlive = !close && (!http10 || keepAliveToken);
        if (headRequest || code == 204 || code == 304) {
            return true;
        }
        if (chunkedCoding) {
            readChunked();
        } else if (otherCoding || contentLength < 0) {
            readToEnd();
            keepAlive = false;
        } else {
            if (contentLength > MAX_BODY_BYTES) {
                throw new ProtocolException("body of " + contentLength + " bytes is over the limit of " + MAX_BODY_BYTES);
            }
            int n = (int) contentLength;
            require(n);
            body = buf;
            bodyOffset = pos;
            bodyLength = n;
            pos += n;
        }
        return true;
    }

    // ---------------------------------------------------------------- bodies

    private void readChunked() throws IOException {
        int total = 0;
        for (int chunks = 0; ; chunks++) { // bounded: each chunk adds >= 1 byte to total, capped at MAX_BODY_BYTES
            int lf = lineEnd(MAX_CHUNK_LINE);
            int end = trimCr(pos, lf);
            int size = parseChunkSize(pos, end);
            pos = lf + 1;
            if (size == 0) {
                break;
            }
            if (size > MAX_BODY_BYTES - total) {
                throw new ProtocolException("chunked body over the limit of " + MAX_BODY_BYTES + " bytes");
            }
            if (chunked.length < total + size) {
                byte[] grown = new byte[Math.max(total + size, Math.min(MAX_BODY_BYTES, Math.max(4096, chunked.length * 2)))];
                System.arraycopy(chunked, 0, grown, 0, total);
                chunked = grown;
            }
            int remaining = size;
            while (remaining > 0) { // bounded: every fill() adds at least one byte or throws
                if (pos == lim) {
                    fill();
                }
                int take = Math.min(remaining, lim - pos);
                System.arraycopy(buf, pos, chunked, total, take);
                pos += take;
                total += take;
                remaining -= take;
            }
            lf = lineEnd(MAX_CHUNK_LINE);
            if (trimCr(pos, lf) != pos) {
                throw new ProtocolException("chunk data not followed by CRLF");
            }
            pos = lf + 1;
        }
        // trailer fields, then the empty line
        int budget = MAX_HEADER_BYTES;
        for (int lines = 0; ; lines++) { // bounded by budget
            int lf = lineEnd(budget);
            budget -= lf - pos + 1;
            boolean empty = trimCr(pos, lf) == pos;
            pos = lf + 1;
            if (empty) {
                break;
            }
        }
        body = chunked;
        bodyOffset = 0;
        bodyLength = total;
    }

    /** A body framed by the end of the stream (no length given, or a coding other than chunked). */
    private void readToEnd() throws IOException {
        for (int reads = 0; ; reads++) { // bounded: every pass reads >= 1 byte toward MAX_BODY_BYTES, or ends
            if (lim == buf.length) {
                if (lim - pos >= MAX_BODY_BYTES) {
                    throw new ProtocolException("body over the limit of " + MAX_BODY_BYTES + " bytes");
                }
                makeRoom(Math.min(MAX_BODY_BYTES, (lim - pos) + 1));
            }
            int n = in.read(buf, lim, buf.length - lim);
            if (n < 0) {
                break;
            }
            if (n == 0) {
                throw new IOException("the stream read 0 bytes");
            }
            lim += n;
            received += n;
        }
        body = buf;
        bodyOffset = pos;
        bodyLength = lim - pos;
        pos = lim;
    }

    // ---------------------------------------------------------------- buffer

    /** The index of the LF ending the line at {@code pos}, reading more as needed; the line may be at most {@code max} bytes. */
    private int lineEnd(int max) throws IOException {
        int scanned = 0; // relative to pos, which fill() may move
        for (int fills = 0; ; fills++) { // bounded by max: every fill() adds at least one byte or throws
            int from = pos + scanned;
            int stop = Math.min(lim, pos + max);
            for (int i = from; i < stop; i++) {
                if (buf[i] == '\n') {
                    return i;
                }
            }
            scanned = stop - pos;
            if (scanned >= max) {
                throw new ProtocolException("header line or section over " + max + " bytes");
            }
            fill();
        }
    }

    /** Makes {@code n} bytes available at {@code pos}. */
    private void require(int n) throws IOException {
        if (buf.length - pos < n) {
            makeRoom(n);
        }
        for (int fills = 0; lim - pos < n; fills++) { // bounded: every fill() adds at least one byte or throws
            fill();
        }
    }

    /** Reads at least one more byte into {@code buf[lim..]}, compacting or growing it when full. */
    private void fill() throws IOException {
        if (pos == lim) {
            pos = 0;
            lim = 0;
        } else if (lim == buf.length) {
            makeRoom(lim - pos + 1);
        }
        int n = in.read(buf, lim, buf.length - lim);
        if (n < 0) {
            throw new EOFException(received == 0 && lim == pos
                    ? "connection closed before the response"
                    : "connection closed after " + received + " bytes of the response");
        }
        if (n == 0) {
            throw new IOException("the stream read 0 bytes");
        }
        lim += n;
        received += n;
    }

    /** Moves the unread bytes to the front and grows the buffer so that it holds at least {@code n} of them. */
    private void makeRoom(int n) {
        int unread = lim - pos;
        if (buf.length < n) {
            byte[] grown = new byte[Math.max(n, Math.min(MAX_BODY_BYTES + MAX_HEADER_BYTES, buf.length * 2))];
            System.arraycopy(buf, pos, grown, 0, unread);
            buf = grown;
        } else if (pos > 0) {
            System.arraycopy(buf, pos, buf, 0, unread);
        }
        pos = 0;
        lim = unread;
    }

    // ---------------------------------------------------------------- bytes

    private int trimCr(int start, int lf) {
        return lf > start && buf[lf - 1] == '\r' ? lf - 1 : lf;
    }

    private boolean nameIs(int start, int end, byte[] lowerName) {
        if (end - start != lowerName.length) {
            return false;
        }
        for (int i = 0; i < lowerName.length; i++) {
            if (lower(buf[start + i]) != lowerName[i]) {
                return false;
            }
        }
        return true;
    }

    private boolean tokenIs(int start, int end, byte[] lowerToken) {
        while (end > start && isOws(buf[end - 1])) {
            end--;
        }
        return nameIs(start, end, lowerToken);
    }

    /** Whether the comma-separated list {@code [start, end)} holds {@code lowerToken} (case-insensitive). */
    private boolean hasToken(int start, int end, byte[] lowerToken) {
        int s = start;
        for (int i = start; i <= end; i++) {
            if (i == end || buf[i] == ',') {
                int a = s;
                while (a < i && isOws(buf[a])) {
                    a++;
                }
                if (tokenIs(a, i, lowerToken)) {
                    return true;
                }
                s = i + 1;
            }
        }
        return false;
    }

    private int lastTokenStart(int start, int end) {
        int s = start;
        for (int i = end - 1; i >= start; i--) {
            if (buf[i] == ',') {
                s = i + 1;
                break;
            }
        }
        while (s < end && isOws(buf[s])) {
            s++;
        }
        return s;
    }

    /** A non-negative decimal, or -1 when {@code [start, end)} is not one (or is over 18 digits). */
    private long parseDecimal(int start, int end) {
        if (end <= start || end - start > 18) {
            return -1;
        }
        long v = 0;
        for (int i = start; i < end; i++) {
            if (!isDigit(buf[i])) {
                return -1;
            }
            v = v * 10 + (buf[i] - '0');
        }
        return v;
    }

    /** The hex size at the start of a chunk line ({@code 1a;ext=x}); at most 7 digits (< 256 MiB). */
    private int parseChunkSize(int start, int end) throws ProtocolException {
        int v = 0;
        int digits = 0;
        int i = start;
        for (; i < end; i++) {
            int d = Character.digit(buf[i], 16);
            if (d < 0) {
                break;
            }
            if (++digits > 7) {
                throw new ProtocolException("chunk size too large: '" + printable(start, end) + "'");
            }
            v = v * 16 + d;
        }
        while (i < end && isOws(buf[i])) {
            i++;
        }
        if (digits == 0 || (i < end && buf[i] != ';')) {
            throw new ProtocolException("bad chunk size line '" + printable(start, end) + "'");
        }
        return v;
    }

    private String printable(int start, int end) {
        int e = Math.min(end, start + 80);
        StringBuilder sb = new StringBuilder(e - start);
        for (int i = start; i < e; i++) {
            char c = (char) (buf[i] & 0xff);
            sb.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return end > e ? sb.append("...").toString() : sb.toString();
    }

    private static boolean startsWith(byte[] b, int at, String ascii) {
        for (int i = 0; i < ascii.length(); i++) {
            if (b[at + i] != ascii.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static int indexOf(byte[] b, int start, int end, byte v) {
        for (int i = start; i < end; i++) {
            if (b[i] == v) {
                return i;
            }
        }
        return -1;
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    private static boolean isOws(byte b) {
        return b == ' ' || b == '\t';
    }

    private static byte lower(byte b) {
        return b >= 'A' && b <= 'Z' ? (byte) (b + 32) : b;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
