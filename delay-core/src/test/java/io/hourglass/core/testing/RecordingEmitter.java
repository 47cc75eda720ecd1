package io.hourglass.core.testing;

import io.hourglass.core.model.DelayMessage;
import io.hourglass.core.spi.MessageEmitter;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records what is emitted, with the emit time; can be told to fail, like a broker that is down. */
public final class RecordingEmitter implements MessageEmitter {

    /** One emitted record. */
    public record Emitted(DelayMessage message, long emittedAt) {
    }

    private final List<Emitted> emitted = new CopyOnWriteArrayList<>();
    private volatile boolean down;
    private volatile int attempts;

    @Override
    public List<CompletableFuture<Void>> emit(List<DelayMessage> messages, long now) {
        List<CompletableFuture<Void>> futures = new ArrayList<>(messages.size());
        for (DelayMessage m : messages) {
            attempts++;
            if (down) {
                futures.add(CompletableFuture.failedFuture(new IllegalStateException("broker down")));
            } else {
                emitted.add(new Emitted(m, now));
                futures.add(CompletableFuture.completedFuture(null));
            }
        }
        return futures;
    }

    public void setDown(boolean down) {
        this.down = down;
    }

    public int attempts() {
        return attempts;
    }

    public List<Emitted> emitted() {
        return List.copyOf(emitted);
    }

    public List<Long> emittedIds() {
        return emitted.stream().map(e -> e.message().id()).toList();
    }
}
