package io.hourglass.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A minimal HTTP/1.1 server on 127.0.0.1 for the client tests: one thread per connection, keep-alive, requests
 * framed by Content-Length, answers from a handler. It can say {@code Connection: close} every N answers, answer
 * chunked, or drop every connection silently after each answer (a server closing idle connections).
 */
final class TinyHttpServer implements AutoCloseable {

    record Request(String method, String path, Map<String, String> headers, byte[] body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    record Response(int status, String contentType, byte[] body) {
        static Response json(int status, String json) {
            return new Response(status, "application/json", json.getBytes(StandardCharsets.UTF_8));
        }
    }

    private final ServerSocket server;
    private final Function<Request, Response> handler;
    private final Thread acceptor;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    final AtomicInteger connections = new AtomicInteger();
    final AtomicInteger requests = new AtomicInteger();
    volatile Request last;
    volatile int closeEvery;          // 0: never say Connection: close
    volatile boolean chunked;         // answer with Transfer-Encoding: chunked (in pieces of 7 bytes)
    volatile boolean dropAfterEach;   // close the connection after each answer without saying so

    TinyHttpServer(Function<Request, Response> handler) throws IOException {
        this.handler = handler;
        this.server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 128);
        acceptor = new Thread(this::acceptLoop, "tiny-http-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return server.getLocalPort();
    }

    String base() {
        return "http://127.0.0.1:" + port();
    }

    private void acceptLoop() {
        while (!server.isClosed()) { // ends when close() closes the server socket
            try {
                Socket s = server.accept();
                s.setTcpNoDelay(true);
                sockets.add(s);
                connections.incrementAndGet();
                Thread t = new Thread(() -> serve(s), "tiny-http-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            InputStream in = new BufferedInputStream(s.getInputStream());
            OutputStream out = s.getOutputStream();
            for (int n = 1; ; n++) { // ends at the client's EOF or when this side closes
                Request request = readRequest(in);
                if (request == null) {
                    return;
                }
                requests.incrementAndGet();
                last = request;
                Response response = handler.apply(request);
                boolean close = closeEvery > 0 && n % closeEvery == 0;
                out.write(encode(response, close, chunked));
                out.flush();
                if (close || dropAfterEach) {
                    return;
                }
            }
        } catch (IOException e) {
            // the client went away
        } finally {
            sockets.remove(s);
        }
    }

    private static Request readRequest(InputStream in) throws IOException {
        String line = readLine(in);
        if (line == null) {
            return null;
        }
        String[] parts = line.split(" ");
        Map<String, String> headers = new TreeMap<>();
        for (int i = 0; i < 200; i++) {
            String h = readLine(in);
            if (h == null) {
                return null;
            }
            if (h.isEmpty()) {
                break;
            }
            int colon = h.indexOf(':');
            headers.put(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
        }
        int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
        byte[] body = in.readNBytes(length);
        if (body.length != length) {
            return null;
        }
        return new Request(parts[0], parts[1], headers, body);
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(64);
        for (int i = 0; i < 65536; i++) {
            int c = in.read();
            if (c < 0) {
                return null;
            }
            if (c == '\n') {
                break;
            }
            line.write(c);
        }
        String s = line.toString(StandardCharsets.ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }

    static byte[] encode(Response r, boolean close, boolean chunked) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256 + r.body().length);
        StringBuilder head = new StringBuilder("HTTP/1.1 ").append(r.status()).append(" X\r\n");
        head.append("Content-Type: ").append(r.contentType()).append("\r\n");
        head.append(chunked ? "Transfer-Encoding: chunked\r\n" : "Content-Length: " + r.body().length + "\r\n");
        if (close) {
            head.append("Connection: close\r\n");
        }
        head.append("\r\n");
        out.writeBytes(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        if (!chunked) {
            out.writeBytes(r.body());
        } else {
            for (int i = 0; i < r.body().length; i += 7) {
                int n = Math.min(7, r.body().length - i);
                out.writeBytes((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                out.write(r.body(), i, n);
                out.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
            }
            out.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        }
        return out.toByteArray();
    }

    /**
     * Stops listening and closes every connection. Waits for the accept thread to end: while a thread is blocked in
     * accept(), the JDK closes the listening socket only when that thread leaves it, so a connection made right
     * after close() could still be accepted and answered (seen in CI: a "closed" server answered 201).
     */
    @Override
    public void close() throws IOException {
        server.close();
        try {
            acceptor.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Socket s : sockets) {
            s.close();
        }
    }
}
