package io.hourglass.protocol.tck;

import io.hourglass.core.spi.AppChangeBus;

import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** Every app change a server's {@link AppChangeBus} subscribers were told of, with its {@link System#nanoTime()}. */
public final class AppChangeRecorder implements Consumer<String> {

    /** One listener call. */
    public record Change(long nanos, String appKey) {
    }

    private final List<Change> changes = new CopyOnWriteArrayList<>();

    @Override
    public void accept(String appKey) {
        changes.add(new Change(System.nanoTime(), appKey));
    }

    /** The app keys received at or after {@code nanos}, in order. */
    public List<String> keysSince(long nanos) {
        return changes.stream().filter(c -> c.nanos() - nanos >= 0).map(Change::appKey).toList();
    }

    /** Every app key received, in order. */
    public List<String> keys() {
        return changes.stream().map(Change::appKey).toList();
    }

    /** When {@code appKey} or {@link AppChangeBus#ALL} was first received at or after {@code nanos}, if it was. */
    public OptionalLong firstCovering(String appKey, long nanos) {
        return changes.stream().filter(c -> c.nanos() - nanos >= 0)
                .filter(c -> c.appKey().equals(appKey) || c.appKey().equals(AppChangeBus.ALL))
                .mapToLong(Change::nanos).findFirst();
    }

    @Override
    public String toString() {
        return changes.toString();
    }
}
