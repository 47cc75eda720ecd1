package io.hourglass.bench;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;

/**
 * The submit calls over one plain HTTP/1.1 keep-alive {@link HttpConnection} per submitting thread (the default,
 * {@code --client socket}). A single submit writes its JSON by hand into a reused buffer, sends head and body in
 * one write and picks {@code id}/{@code deliverAt} out of the answer without Jackson; batches go through Jackson
 * as with the JDK client (there are few of them). Plain http only.
 */
final class SocketApiClient extends ApiClient {

    private final HttpConnection.Target target;
    private final HttpConnection.Target probeTarget;
    private final HttpConnection.Watchdog watchdog = new HttpConnection.Watchdog();
    private final byte[] singleHead;
    private final byte[] batchHead;
    private final byte[] probeHead;
    private final Slot[] slots;

    /** A thread's connection and body buffer; only that thread touches it. */
    private static final class Slot {
        final HttpConnection connection;
        final SubmitJson.Sink body = new SubmitJson.Sink(512);

        Slot(HttpConnection.Target target, HttpConnection.Watchdog watchdog) {
            connection = new HttpConnection(target, watchdog);
        }
    }

    SocketApiClient(URI base, String appKey, String appSecret, int threads, Duration timeout)
            throws UnknownHostException {
        super(base, appKey, appSecret);
        int readTimeout = (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis()));
        this.target = HttpConnection.Target.of(base, (int) CONNECT_TIMEOUT.toMillis(), readTimeout);
        this.probeTarget = HttpConnection.Target.of(base, (int) CONNECT_TIMEOUT.toMillis(), (int) PROBE_TIMEOUT.toMillis());
        String authority = target.authority();
        String[] common = {"X-App-Key", appKey, "X-App-Secret", appSecret, "Accept", "application/json"};
        this.probeHead = HttpConnection.head("GET", PROBE_PATH, authority, common);
        String[] post = {"X-App-Key", appKey, "X-App-Secret", appSecret, "Accept", "application/json",
                "Content-Type", "application/json"};
        this.singleHead = HttpConnection.head("POST", SINGLE_PATH, authority, post);
        this.batchHead = HttpConnection.head("POST", BATCH_PATH, authority, post);
        this.slots = new Slot[Math.max(1, threads)];
        for (int i = 0; i < slots.length; i++) {
            slots[i] = new Slot(target, watchdog);
        }
    }

    @Override
    void probe() throws UnreachableException {
        try (HttpConnection c = new HttpConnection(probeTarget, watchdog)) {
            HttpResponseReader r;
            try {
                r = c.exchange(probeHead, null, null, 0, 0, false);
            } catch (ConnectException e) {
                throw new UnreachableException("nothing answers at " + base + " (connection refused). Is the server "
                        + "running? Start it with scripts/run.sh, or pass --base.", e);
            } catch (SocketTimeoutException e) {
                throw new UnreachableException(c.connects() == 0
                        ? "nothing answers at " + base + " (connect timed out). Is the server running? Start it "
                          + "with scripts/run.sh, or pass --base."
                        : "the server at " + base + " accepted a connection but did not answer within 10 s", e);
            } catch (IOException e) {
                throw new UnreachableException("cannot talk to " + base + ": " + describe(e), e);
            }
            String refusal = probeRefusal(base, appKey, r.status());
            if (refusal != null) {
                throw new UnreachableException(refusal, null);
            }
        }
    }

    @Override
    Outcome submit(int thread, Message message) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        Slot slot = slots[thread % slots.length];
        SubmitJson.Sink body = slot.body;
        body.reset();
        SubmitJson.write(body, message);
        HttpResponseReader r;
        try {
            r = slot.connection.exchange(singleHead, null, body.bytes, 0, body.size, false);
        } catch (IOException e) {
            return Outcome.failed("transport " + describe(e));
        }
        int status = r.status();
        if (status / 100 != 2) {
            return Outcome.failed(problem(status, r.body(), r.bodyOffset(), r.bodyLength()));
        }
        Outcome scanned = SubmitJson.scanAccepted(r.body(), r.bodyOffset(), r.bodyLength());
        if (scanned != null) {
            return scanned;
        }
        try { // not the usual compact answer: let Jackson decide
            return accepted(JSON.readTree(r.body(), r.bodyOffset(), r.bodyLength()), status);
        } catch (IOException e) {
            return Outcome.failed("HTTP " + status + " unreadable body");
        }
    }

    @Override
    List<Outcome> submitBatch(int thread, List<Message> messages) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        Slot slot = slots[thread % slots.length];
        HttpResponseReader r;
        try {
            byte[] body = batchBody(messages);
            r = slot.connection.exchange(batchHead, null, body, 0, body.length, false);
        } catch (IOException e) {
            return allFailed(messages.size(), "transport " + describe(e));
        }
        int status = r.status();
        if (status / 100 != 2) {
            return allFailed(messages.size(), problem(status, r.body(), r.bodyOffset(), r.bodyLength()));
        }
        return batchOutcomes(status, r.body(), r.bodyOffset(), r.bodyLength(), messages.size());
    }

    @Override
    String describeTransport() {
        return "socket, one keep-alive connection per thread";
    }

    /** Connections opened and requests retried on a stale connection, over all threads (read after the run). */
    long[] connectionStats() {
        long connects = 0;
        long retries = 0;
        for (Slot s : slots) {
            connects += s.connection.connects();
            retries += s.connection.retries();
        }
        return new long[] {connects, retries};
    }

    @Override
    public void close() {
        for (Slot s : slots) {
            s.connection.close();
        }
        watchdog.close();
    }
}
