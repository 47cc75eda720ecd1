package io.hourglass.bootstrap.config;

import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.env.Environment;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Keys that were renamed, ours and the original delay-server's: a configuration that still sets one stops the start,
 * naming the old key and what to write instead, rather than being silently ignored (a cluster would otherwise start
 * against the default etcd on 127.0.0.1, or with a window of 5 ms). docs/migrating.md maps every key.
 */
final class RenamedKeys {

    /**
     * Old key to what to write instead; {@code {coordinator}} stands for {@code etcd} or {@code zookeeper}. Keys are in
     * Spring's canonical form, so {@code withinMin} and {@code within-min} both match.
     */
    static final Map<String, String> RENAMED = renamed();

    private RenamedKeys() {
    }

    private static Map<String, String> renamed() {
        Map<String, String> m = new LinkedHashMap<>();
        for (String key : List.of("endpoints", "username", "password", "namespace")) {
            m.put("delay.protocol." + key, "delay.protocol.{coordinator}." + key);
        }
        m.put("delay.protocol.peer-connect-timeout", "delay.protocol.peer.connect-timeout");
        m.put("delay.protocol.peer-request-timeout", "delay.protocol.peer.request-timeout");
        m.put("delay.store.batch-size", "delay.store.mysql.batch-size");
        m.put("delay.store.transaction-timeout", "delay.store.mysql.transaction-timeout");
        // the original delay-server's keys whose meaning or name changed (same-named ones such as ttl,
        // rebalanceDelay and archiveScheduler bind as they are)
        m.put("delay.core.within-min", "delay.core.within, a duration (withinMin: 5 is within: 5m)");
        m.put("delay.protocol.user", "delay.protocol.{coordinator}.username");
        m.put("delay.protocol.lease-path", "nothing: remove it (a restarted server registers with a new lease)");
        m.put("delay.store.archive", "delay.store.retention (finished messages are always deleted once older; "
                + "a long retention keeps them)");
        m.put("delay.message.carry-msg-id", "nothing: remove it (every record carries the id in header x-delay-id)");
        m.put("delay.message.address", "spring.kafka.bootstrap-servers");
        m.put("delay.common.cache-version", "nothing: remove it (apps are cached for delay.apps.cache-ttl)");
        return Map.copyOf(m);
    }

    /** @throws RenamedKeyException if the environment sets a renamed key */
    static void check(Environment environment) {
        Binder binder = Binder.get(environment);
        String coordinator = binder.bind("delay.protocol.type", String.class).orElse("")
                .trim().toLowerCase(Locale.ROOT);
        List<String> found = new ArrayList<>();
        for (Map.Entry<String, String> e : RENAMED.entrySet()) {
            if (binder.bind(e.getKey(), Bindable.listOf(String.class)).isBound()) {
                String now = e.getValue().replace("{coordinator}",
                        coordinator.equals("etcd") || coordinator.equals("zookeeper") ? coordinator : "etcd|zookeeper");
                found.add(e.getKey() + " is now " + now);
            }
        }
        if (!found.isEmpty()) {
            throw new RenamedKeyException(found.stream().sorted().toList());
        }
    }

    /** A renamed key is still set; {@link Analyzer} reports it without a stack trace. */
    static final class RenamedKeyException extends IllegalStateException {
        private final List<String> renames;

        RenamedKeyException(List<String> renames) {
            super("Renamed configuration keys are set: " + String.join("; ", renames));
            this.renames = renames;
        }

        List<String> renames() {
            return renames;
        }
    }

    /** Registered in META-INF/spring.factories. */
    static final class Analyzer extends AbstractFailureAnalyzer<RenamedKeyException> {
        @Override
        protected FailureAnalysis analyze(Throwable rootFailure, RenamedKeyException cause) {
            return new FailureAnalysis("Renamed configuration keys are set:\n  " + String.join("\n  ", cause.renames()),
                    "Use the new names (docs/migrating.md lists every renamed key).", cause);
        }
    }
}
