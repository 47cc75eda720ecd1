package io.hourglass.store.mysql;

import io.hourglass.core.model.DelayMessage;
import io.hourglass.core.model.MessageIds;
import io.hourglass.core.spi.MessageStore;
import org.springframework.context.ConfigurableApplicationContext;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The process {@link H2KillDurabilityTest} kills: opens the store as the server does, then several threads insert
 * batches and print {@code ACK <id>} for every id of a batch once {@code insert} has returned, until killed. Bounded
 * in time and count, so it ends by itself if nobody kills it.
 */
public final class H2CrashChild {

    private static final int THREADS = 4;
    private static final long MAX_MILLIS = 120_000;
    private static final int MAX_BATCHES_PER_THREAD = 5_000;

    private H2CrashChild() {
    }

    public static void main(String[] args) throws Exception {
        String url = args[0];
        ConfigurableApplicationContext context = TestStoreApp.start(url);
        MessageStore store = context.getBean(MessageStore.class);
        PrintStream out = System.out;
        out.println("READY");
        out.flush();
        MessageIds ids = new MessageIds();
        long deadline = System.currentTimeMillis() + MAX_MILLIS;
        AtomicBoolean failed = new AtomicBoolean();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int slot = t;
            Thread thread = new Thread(() -> {
                String big = "p".repeat(4000); // payloads large enough to span H2 pages
                for (int b = 0; b < MAX_BATCHES_PER_THREAD && System.currentTimeMillis() < deadline; b++) {
                    long now = System.currentTimeMillis();
                    List<DelayMessage> batch = new ArrayList<>();
                    for (int i = 0; i < 1 + b % 20; i++) { // 1..20 messages: single inserts and group commits
                        batch.add(DelayMessage.scheduled(ids.next(slot, now), "crash-app", "t", "k" + i,
                                i % 3 == 0 ? big : "small", Map.of("n", Integer.toString(i)), now + 60_000, null,
                                now, null));
                    }
                    try {
                        store.insert(batch);
                    } catch (RuntimeException e) {
                        failed.set(true);
                        e.printStackTrace();
                        return;
                    }
                    StringBuilder acks = new StringBuilder();
                    for (DelayMessage m : batch) {
                        acks.append("ACK ").append(m.id()).append('\n');
                    }
                    synchronized (out) {
                        out.print(acks);
                        out.flush();
                    }
                }
            }, "crash-writer-" + t);
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        context.close();
        System.exit(failed.get() ? 1 : 0);
    }
}
