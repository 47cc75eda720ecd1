package io.hourglass.store.cassandra;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * Runs one asynchronous step per item with at most {@code lanes} steps in flight: each lane takes the next item when
 * its previous step completes, so a call on 1300 ids keeps a steady window of requests open instead of 1300 at once
 * (which would overrun the connection's request limit) or one at a time. No thread is blocked; a step that completes
 * at once is followed in a loop, not by recursion. After the first failure no new step starts, and the result fails
 * with it once the steps in flight are done.
 */
final class Lanes {

    private Lanes() {
    }

    /** The results in the order of {@code items}. */
    static <T, R> CompletableFuture<List<R>> map(List<T> items, int lanes, Function<T, CompletionStage<R>> step) {
        if (items.isEmpty()) {
            return CompletableFuture.completedFuture(List.of());
        }
        Run<T, R> run = new Run<>(items, step);
        int n = Math.min(Math.max(1, lanes), items.size());
        List<CompletableFuture<Void>> done = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            CompletableFuture<Void> lane = new CompletableFuture<>();
            done.add(lane);
            run.next(lane);
        }
        return CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).thenApply(v -> {
            Throwable failure = run.failure.get();
            if (failure != null) {
                throw StoreErrors.unwrap(failure) instanceof RuntimeException r ? r
                        : new IllegalStateException(StoreErrors.unwrap(failure));
            }
            @SuppressWarnings("unchecked")
            List<R> results = (List<R>) Arrays.asList(run.results);
            return results;
        });
    }

    private static final class Run<T, R> {
        final List<T> items;
        final Function<T, CompletionStage<R>> step;
        final Object[] results;
        final AtomicInteger cursor = new AtomicInteger();
        final AtomicBoolean failed = new AtomicBoolean();
        final AtomicReference<Throwable> failure = new AtomicReference<>();

        Run(List<T> items, Function<T, CompletionStage<R>> step) {
            this.items = items;
            this.step = step;
            this.results = new Object[items.size()];
        }

        void next(CompletableFuture<Void> lane) {
            while (true) {
                int i = cursor.getAndIncrement();
                if (i >= items.size() || failed.get()) {
                    lane.complete(null);
                    return;
                }
                CompletableFuture<R> f;
                try {
                    f = step.apply(items.get(i)).toCompletableFuture();
                } catch (RuntimeException e) {
                    f = CompletableFuture.failedFuture(e);
                }
                if (f.isDone()) {
                    if (!record(i, f)) {
                        lane.complete(null);
                        return;
                    }
                    continue;
                }
                f.whenComplete((r, e) -> {
                    if (record(i, (e == null ? CompletableFuture.completedFuture(r) : CompletableFuture.failedFuture(e)))) {
                        next(lane);
                    } else {
                        lane.complete(null);
                    }
                });
                return;
            }
        }

        private boolean record(int i, CompletableFuture<R> f) {
            try {
                results[i] = f.join();
                return true;
            } catch (RuntimeException e) {
                failed.set(true);
                failure.compareAndSet(null, e);
                return false;
            }
        }
    }
}
