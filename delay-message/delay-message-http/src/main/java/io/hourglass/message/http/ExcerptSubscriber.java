package io.hourglass.message.http;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Keeps the first {@code limit} bytes of a response body, for the reason of a failed callback, then cancels the
 * rest: a receiver cannot make Hourglass read a large or endless error page. The excerpt is decoded as UTF-8
 * (malformed bytes replaced) with runs of whitespace folded into one space.
 */
final class ExcerptSubscriber implements HttpResponse.BodySubscriber<String> {

    private final int limit;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final CompletableFuture<String> body = new CompletableFuture<>();
    private Flow.Subscription subscription;

    ExcerptSubscriber(int limit) {
        this.limit = limit;
    }

    @Override
    public CompletionStage<String> getBody() {
        return body;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        this.subscription = subscription;
        subscription.request(1);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
        for (ByteBuffer item : items) {
            int take = Math.min(item.remaining(), limit - bytes.size());
            byte[] chunk = new byte[take];
            item.get(chunk);
            bytes.write(chunk, 0, take);
        }
        if (bytes.size() >= limit) {
            subscription.cancel();
            finish();
        } else {
            subscription.request(1);
        }
    }

    @Override
    public void onError(Throwable throwable) {
        finish(); // the status is what matters; a broken error page still gives what arrived
    }

    @Override
    public void onComplete() {
        finish();
    }

    private void finish() {
        if (!body.isDone()) {
            body.complete(new String(bytes.toByteArray(), StandardCharsets.UTF_8).replaceAll("\\s+", " ").trim());
        }
    }
}
