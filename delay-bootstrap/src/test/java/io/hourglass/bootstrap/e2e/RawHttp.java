package io.hourglass.bootstrap.e2e;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * HTTP/1.1 over a plain socket, one request per connection, byte for byte as the test wrote it.
 *
 * <p>Hand-written on purpose: a hostile-input test must send what no client library sends (a Content-Length that
 * lies, two of them, a body that never ends, a tab in a header) and must tell a connection reset from an answer;
 * {@code java.net.http} refuses or rewrites all of these. It also binds the client side to a chosen loopback
 * address (any of 127.0.0.0/8), so that tests can act as distinct clients of a per-address throttle.
 */
final class RawHttp {

    private RawHttp() {
    }

    /** A request: exactly these header lines, then the body; {@code Host} and {@code Connection: close} added. */
    record Request(String method, String target, List<String[]> headers, byte[] body, boolean chunked) {

        static Request of(String method, String target, byte[] body, String... headerPairs) {
            List<String[]> h = new ArrayList<>();
            for (int i = 0; i < headerPairs.length; i += 2) {
                h.add(new String[]{headerPairs[i], headerPairs[i + 1]});
            }
            return new Request(method, target, h, body == null ? new byte[0] : body, false);
        }

        /** The head; {@code Content-Length} is added (correct) unless a header of that name is given or chunked. */
        byte[] head() {
            StringBuilder s = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n")
                    .append("Host: 127.0.0.1\r\nConnection: close\r\n");
            boolean lengthGiven = false;
            for (String[] h : headers) {
                lengthGiven |= h[0].equalsIgnoreCase("Content-Length") || h[0].equalsIgnoreCase("Transfer-Encoding");
                s.append(h[0]).append(": ").append(h[1]).append("\r\n");
            }
            if (chunked) {
                s.append("Transfer-Encoding: chunked\r\n");
            } else if (!lengthGiven && (body.length > 0 || !method.equals("GET"))) {
                s.append("Content-Length: ").append(body.length).append("\r\n");
            }
            // ISO-8859-1: header text is bytes; a char above 0xFF in a test's header would be a test bug
            return s.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
        }

        String summary() {
            StringBuilder s = new StringBuilder(method).append(' ').append(abbreviate(target, 200));
            for (String[] h : headers) {
                s.append(" | ").append(h[0]).append(": ").append(abbreviate(escape(h[1]), 120));
            }
            return s.append(" | body ").append(body.length).append(" bytes: ")
                    .append(abbreviate(escape(new String(body, StandardCharsets.UTF_8)), 300)).toString();
        }
    }

    /** An answer: status, headers (names lower case) and the body. */
    record Answer(int status, Map<String, List<String>> headers, byte[] body) {

        Optional<String> header(String name) {
            List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
            return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v.get(0));
        }

        String contentType() {
            return header("content-type").orElse("");
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return status + " " + contentType() + " " + abbreviate(text(), 400);
        }
    }

    /** The connection failed before a whole answer arrived: refused, reset, closed early or timed out. */
    static final class NoAnswer extends IOException {
        NoAnswer(String what, Throwable cause) {
            super(what + (cause == null ? "" : ": " + cause), cause);
        }
    }

    /** Sends the request from {@code local} (null: any) and reads the whole answer. */
    static Answer exchange(int port, InetAddress local, Request request, Duration timeout) throws NoAnswer {
        try (Socket socket = open(port, local, timeout)) {
            return exchange(socket, request);
        } catch (NoAnswer e) {
            throw e;
        } catch (IOException e) {
            throw new NoAnswer("connect", e);
        }
    }

    static Socket open(int port, InetAddress local, Duration timeout) throws IOException {
        Socket socket = new Socket();
        socket.setSoTimeout((int) timeout.toMillis());
        if (local != null) {
            socket.bind(new InetSocketAddress(local, 0));
        }
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
        return socket;
    }

    /**
     * Writes the request on an open socket and reads the answer. Large bodies are written by a second thread while
     * this one reads, so that an early answer (401, 413) is read even when the server stops reading the body.
     */
    static Answer exchange(Socket socket, Request request) throws NoAnswer {
        byte[] head = request.head();
        AtomicReference<IOException> writeFailure = new AtomicReference<>();
        Thread writer = null;
        try {
            OutputStream out = socket.getOutputStream();
            out.write(head);
            if (request.body().length + head.length <= 64 * 1024 && !request.chunked()) {
                out.write(request.body());
                out.flush();
            } else {
                writer = new Thread(() -> {
                    try {
                        writeBody(out, request);
                    } catch (IOException e) {
                        writeFailure.set(e); // the server stopped reading: fine if it answered
                    }
                }, "raw-http-body-writer");
                writer.setDaemon(true);
                writer.start();
            }
        } catch (IOException e) {
            // the server may have answered and closed already: try to read that answer below
            writeFailure.set(e);
        }
        try {
            return read(socket.getInputStream());
        } catch (IOException e) {
            throw new NoAnswer("no complete answer to " + abbreviate(request.method() + " " + request.target(), 120)
                    + (writeFailure.get() == null ? "" : " (writing the request failed: " + writeFailure.get() + ")"), e);
        } finally {
            if (writer != null) {
                writer.interrupt();
            }
        }
    }

    private static void writeBody(OutputStream out, Request request) throws IOException {
        byte[] body = request.body();
        int step = 64 * 1024;
        for (int i = 0; i < body.length; i += step) {
            int n = Math.min(step, body.length - i);
            if (request.chunked()) {
                out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            }
            out.write(body, i, n);
            if (request.chunked()) {
                out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            }
        }
        if (request.chunked()) {
            out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        out.flush();
    }

    /** Reads one HTTP/1.1 answer: status line, headers, body by Content-Length, chunks, or up to the close. */
    static Answer read(InputStream in) throws IOException {
        String statusLine = line(in);
        if (statusLine == null) {
            throw new EOFException("connection closed before any answer");
        }
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP status line: " + abbreviate(statusLine, 100));
        }
        int status = Integer.parseInt(parts[1]);
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (String l = line(in); l != null && !l.isEmpty(); l = line(in)) {
            int colon = l.indexOf(':');
            if (colon > 0) {
                headers.computeIfAbsent(l.substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                        .add(l.substring(colon + 1).trim());
            }
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        List<String> te = headers.getOrDefault("transfer-encoding", List.of());
        List<String> cl = headers.getOrDefault("content-length", List.of());
        if (te.stream().anyMatch(v -> v.toLowerCase(Locale.ROOT).contains("chunked"))) {
            for (int size = chunkSize(in); size > 0; size = chunkSize(in)) {
                body.write(exactly(in, size));
                line(in);
            }
            for (String l = line(in); l != null && !l.isEmpty(); l = line(in)) {
                // trailers: none expected
            }
        } else if (!cl.isEmpty()) {
            body.write(exactly(in, Integer.parseInt(cl.get(0))));
        } else if (status >= 200 && status != 204 && status != 304) {
            in.transferTo(body);
        }
        return new Answer(status, headers, body.toByteArray());
    }

    private static int chunkSize(InputStream in) throws IOException {
        String l = line(in);
        if (l == null) {
            throw new EOFException("connection closed inside a chunked body");
        }
        int semi = l.indexOf(';');
        return Integer.parseInt((semi < 0 ? l : l.substring(0, semi)).trim(), 16);
    }

    private static byte[] exactly(InputStream in, int n) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length < n) {
            throw new EOFException("connection closed after " + b.length + " of " + n + " body bytes");
        }
        return b;
    }

    /** A CRLF-terminated line (ISO-8859-1), or null at the end of the stream before any byte. */
    private static String line(InputStream in) throws IOException {
        StringBuilder s = new StringBuilder();
        for (int c = in.read(); ; c = in.read()) {
            if (c < 0) {
                return s.length() == 0 ? null : s.toString();
            }
            if (c == '\n') {
                int end = s.length() > 0 && s.charAt(s.length() - 1) == '\r' ? s.length() - 1 : s.length();
                return s.substring(0, end);
            }
            if (s.length() > 64 * 1024) {
                throw new IOException("header line over 64 KiB");
            }
            s.append((char) c);
        }
    }

    /** Whether an exception of a read means the peer reset or closed the connection (rather than a timeout). */
    static boolean isTimeout(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SocketTimeoutException) {
                return true;
            }
        }
        return false;
    }

    static String escape(String s) {
        StringBuilder b = new StringBuilder();
        s.codePoints().limit(2_000).forEach(c -> {
            if (c < 0x20 || c == 0x7F) {
                b.append(String.format("\\x%02x", c));
            } else {
                b.appendCodePoint(c);
            }
        });
        return b.toString();
    }

    static String abbreviate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "...(" + s.length() + " chars)";
    }
}
