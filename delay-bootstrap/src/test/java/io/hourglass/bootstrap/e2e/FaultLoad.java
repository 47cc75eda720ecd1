package io.hourglass.bootstrap.e2e;

import com.fasterxml.jackson.databind.JsonNode;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Steady submit load on one server: a few client threads submit messages due 2-5 s ahead and cancel about one in
 * eight of their own messages while still well before due. Every call is recorded with its start, end, status and
 * problem type, so that what clients saw during a fault can be checked afterwards. A call that gets no answer within
 * {@link #CLIENT_TIMEOUT} is recorded with status -1 (a hang).
 */
final class FaultLoad implements AutoCloseable {

    static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(40);

    /** One call as the client saw it. */
    record Call(String op, long start, long end, int status, String contentType, String problemType) {
        long millis() {
            return end - start;
        }
    }

    private final String base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    /** id -> deliverAt of every submit answered 201, less those whose cancel was acknowledged or is in doubt. */
    final Map<String, Long> acknowledged = new ConcurrentHashMap<>();
    /** Every id a submit was answered with (201), whatever became of it, with its deliverAt. */
    final Map<String, Long> everAcknowledged = new ConcurrentHashMap<>();
    /** Ids whose cancel answered 200: never to be emitted. */
    final Set<String> cancelled = ConcurrentHashMap.newKeySet();
    /** Ids whose cancel got no definite answer: neither required nor forbidden. */
    final Set<String> inDoubt = ConcurrentHashMap.newKeySet();
    final ConcurrentLinkedQueue<Call> calls = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final List<Thread> threads = new ArrayList<>();

    FaultLoad(String base, int threadCount, String label) {
        this.base = base;
        for (int i = 0; i < threadCount; i++) {
            Thread t = new Thread(this::loop, "fault-load-" + label + "-" + i);
            t.setDaemon(true);
            threads.add(t);
        }
    }

    FaultLoad start() {
        threads.forEach(Thread::start);
        return this;
    }

    private void loop() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        List<long[]> mine = new ArrayList<>(); // {id, deliverAt}
        while (!stop.get()) {
            try {
                long now = System.currentTimeMillis();
                mine.removeIf(m -> m[1] < now + 1_000);
                if (random.nextInt(8) == 0 && !mine.isEmpty()) {
                    long[] m = mine.remove(random.nextInt(mine.size()));
                    cancel(Long.toString(m[0]));
                } else {
                    long[] m = submit(random.nextLong(2_000, 5_000));
                    if (m != null) {
                        mine.add(m);
                    }
                }
                Thread.sleep(15); // steady, modest load: the machine has 2 cores and runs the server and broker too
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                // recorded in the call; go on
            }
        }
    }

    private long[] submit(long delayMs) throws InterruptedException {
        String body = "{\"topic\":\"demo\",\"payload\":\"fault\",\"delayMs\":" + delayMs + "}";
        HttpResponse<String> r = send("submit", HttpRequest.newBuilder(URI.create(base + "/api/v1/messages"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)));
        if (r != null && r.statusCode() == 201) {
            try {
                JsonNode n = RestClient.JSON.readTree(r.body());
                long id = Long.parseLong(n.get("id").asText());
                long deliverAt = n.get("deliverAt").asLong();
                acknowledged.put(Long.toString(id), deliverAt);
                everAcknowledged.put(Long.toString(id), deliverAt);
                return new long[] {id, deliverAt};
            } catch (Exception e) {
                throw new IllegalStateException("unreadable 201: " + r.body(), e);
            }
        }
        return null;
    }

    private void cancel(String id) throws InterruptedException {
        HttpResponse<String> r = send("cancel", HttpRequest.newBuilder(URI.create(base + "/api/v1/messages/" + id)).DELETE());
        int status = r == null ? -1 : r.statusCode();
        if (status == 200) {
            cancelled.add(id);
            acknowledged.remove(id);
        } else if (status == 409) {
            // already firing: it will be emitted, and must be
        } else {
            inDoubt.add(id); // 5xx or no answer: the cancel may or may not have been applied
            acknowledged.remove(id);
        }
    }

    private HttpResponse<String> send(String op, HttpRequest.Builder b) throws InterruptedException {
        HttpRequest request = b.timeout(CLIENT_TIMEOUT).header("X-App-Key", "demo").header("X-App-Secret", "demo-secret").build();
        long start = System.currentTimeMillis();
        try {
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            String type = null;
            String ct = r.headers().firstValue("Content-Type").orElse("");
            if (r.statusCode() >= 400) {
                try {
                    type = RestClient.JSON.readTree(r.body()).path("type").asText();
                } catch (Exception e) {
                    type = "unreadable: " + r.body();
                }
            }
            calls.add(new Call(op, start, System.currentTimeMillis(), r.statusCode(), ct, type));
            return r;
        } catch (HttpTimeoutException e) {
            calls.add(new Call(op, start, System.currentTimeMillis(), -1, "", "no answer within " + CLIENT_TIMEOUT));
            return null;
        } catch (java.io.IOException e) {
            calls.add(new Call(op, start, System.currentTimeMillis(), -2, "", e.toString()));
            return null;
        }
    }

    /** Calls of {@code op} in flight at some time between {@code from} and {@code to}. */
    List<Call> calls(String op, long from, long to) {
        return calls.stream().filter(c -> c.op().equals(op) && c.end() >= from && c.start() <= to).toList();
    }

    /** First submit answered 201 that started at or after {@code from}: its end time, or -1. */
    long firstSuccessfulSubmitAfter(long from) {
        return calls.stream().filter(c -> c.op().equals("submit") && c.status() == 201 && c.start() >= from)
                .mapToLong(Call::end).min().orElse(-1);
    }

    @Override
    public void close() throws InterruptedException {
        stop.set(true);
        for (Thread t : threads) {
            t.join(CLIENT_TIMEOUT.toMillis() + 5_000);
        }
    }
}
