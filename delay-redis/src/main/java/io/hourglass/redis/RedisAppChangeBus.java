package io.hourglass.redis;

import io.hourglass.core.spi.AppChangeBus;
import org.redisson.api.RTopic;
import org.redisson.api.RedissonClient;
import org.redisson.api.listener.BaseStatusListener;
import org.redisson.client.codec.StringCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * {@link AppChangeBus} over a Redis channel ({@code <prefix>:app-changes}, Redisson {@link RTopic}); each message is
 * an app key. Redis pub/sub keeps nothing: a server that is not connected when a change is announced misses it.
 * Therefore every (re)subscription of this server to the channel — after a dropped connection or a Redis restart,
 * which Redisson repairs by itself — hands its listeners {@link AppChangeBus#ALL}, so that it drops every cached app
 * rather than keep one whose change it missed. The first subscription does the same (harmless: nothing is cached yet,
 * and it covers the announcements between the start and the subscription).
 *
 * <p>{@link #publish} never throws: when Redis fails it hands the change to this server's own listeners (the others
 * learn it from their cache's time-to-live), and logs one WARN per run of failures (one INFO when a publish succeeds
 * again). When Redis works, this server gets its own announcements back through the channel like the others.
 *
 * <p>Listeners are called on Redisson's threads (or the publisher's, as above); one that throws is logged and does
 * not stop the others.
 */
public final class RedisAppChangeBus implements AppChangeBus {

    private static final Logger log = LoggerFactory.getLogger(RedisAppChangeBus.class);

    private final RTopic topic;
    private final String name;
    private final long timeoutMillis;
    private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();
    private final AtomicBoolean failing = new AtomicBoolean();

    /**
     * @param topicName the channel ({@code hourglass:app-changes})
     * @param timeout   longest wait for Redis to take an announcement
     */
    public RedisAppChangeBus(RedissonClient redisson, String topicName, Duration timeout) {
        this.topic = redisson.getTopic(topicName, StringCodec.INSTANCE);
        this.name = topicName;
        this.timeoutMillis = Math.max(1, timeout.toMillis());
    }

    @Override
    public void publish(String appKey) {
        try {
            topic.publishAsync(appKey).toCompletableFuture().get(timeoutMillis, TimeUnit.MILLISECONDS);
            if (failing.compareAndSet(true, false)) {
                log.info("[channel={}] app changes are announced through Redis again", name);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failed(appKey, e);
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            failed(appKey, e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e);
        }
    }

    private void failed(String appKey, Throwable e) {
        if (failing.compareAndSet(false, true)) {
            log.warn("[channel={} app={}] cannot announce an app change through Redis ({}): other servers see it"
                    + " when their cached copy expires (delay.apps.cache-ttl)", name, appKey, e.toString());
        }
        listeners.forEach(l -> l.accept(appKey));
    }

    /**
     * Adds {@code listener}: from now on it receives every announced change, and {@link #ALL} at each
     * (re)subscription. Waits until the subscription is in place; throws when Redis cannot be reached.
     */
    @Override
    public void subscribe(Consumer<String> listener) {
        Consumer<String> guarded = key -> {
            try {
                listener.accept(key);
            } catch (RuntimeException e) {
                log.warn("[channel={} app={}] an app-change listener failed", name, key, e);
            }
        };
        topic.addListener(new BaseStatusListener() {
            @Override
            public void onSubscribe(String channel) {
                guarded.accept(ALL);
            }
        });
        topic.addListener(String.class, (channel, appKey) -> guarded.accept(appKey));
        listeners.add(guarded);
    }
}
