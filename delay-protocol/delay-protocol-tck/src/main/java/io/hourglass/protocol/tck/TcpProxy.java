package io.hourglass.protocol.tck;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP relay between one server under test and the real coordination service, to make that one server — not the
 * others — lose the service: {@link #freeze()} holds every byte in both directions with the connections left open (a
 * hung process or a partition: nothing renews, nothing is refused), {@link #cut()} closes the connections and refuses
 * new ones (a network that resets), {@link #restore()} relays again. Listens on 127.0.0.1 on a port of its own, which
 * stays the same across cut and restore so that clients reconnect to it.
 */
public final class TcpProxy implements ServiceLink {

    private enum Mode { OPEN, FROZEN, CUT }

    private final InetSocketAddress target;
    private final ServerSocket listener;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final Object monitor = new Object();
    private volatile Mode mode = Mode.OPEN;
    private volatile boolean closed;

    public TcpProxy(String targetHost, int targetPort) throws IOException {
        this.target = new InetSocketAddress(targetHost, targetPort);
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "tck-proxy-accept-" + port());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** The port clients connect to (on 127.0.0.1). */
    public int port() {
        return listener.getLocalPort();
    }

    /** {@code 127.0.0.1:<port>}. */
    @Override
    public String hostPort() {
        return "127.0.0.1:" + port();
    }

    /** Holds all traffic; connections stay open. */
    @Override
    public void freeze() {
        mode = Mode.FROZEN;
    }

    /** Closes every connection and refuses new ones until {@link #restore()}. */
    @Override
    public void cut() {
        mode = Mode.CUT;
        closeSockets();
        synchronized (monitor) {
            monitor.notifyAll();
        }
    }

    /** Relays again. Connections frozen so far resume; after a cut, clients reconnect. */
    @Override
    public void restore() {
        mode = Mode.OPEN;
        synchronized (monitor) {
            monitor.notifyAll();
        }
    }

    @Override
    public void close() {
        closed = true;
        cut();
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return; // closed
            }
            if (mode == Mode.CUT) {
                closeQuietly(client);
                continue;
            }
            try {
                Socket upstream = new Socket();
                upstream.connect(target, 2000);
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
                sockets.add(client);
                sockets.add(upstream);
                pump(client, upstream, "up");
                pump(upstream, client, "down");
            } catch (IOException e) {
                closeQuietly(client); // the service is down: the client sees a reset, as without the proxy
            }
        }
    }

    private void pump(Socket from, Socket to, String direction) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    synchronized (monitor) {
                        while (mode == Mode.FROZEN) {
                            monitor.wait();
                        }
                    }
                    if (mode == Mode.CUT) {
                        break;
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // a side closed
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                closeQuietly(from);
                closeQuietly(to);
                sockets.remove(from);
                sockets.remove(to);
            }
        }, "tck-proxy-" + port() + "-" + direction);
        t.setDaemon(true);
        t.start();
    }

    private void closeSockets() {
        for (Socket s : sockets) {
            closeQuietly(s);
        }
        sockets.clear();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }
}
