package io.hourglass.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;

/**
 * The JSON of the submit calls through Jackson's streaming API: request bodies written by a generator that each
 * submitting thread keeps (its buffers are reused request after request) straight into a pooled Netty buffer, and
 * {@code id}/{@code deliverAt} read out of a single submit's answer with a parser, without building a tree. The
 * bodies are the bytes {@code ObjectMapper} writes for an {@link ApiClient.Message} (null fields left out).
 */
final class SubmitJson {

    private static final JsonFactory FACTORY = ApiClient.JSON.getFactory();

    private SubmitJson() {
    }

    /** Writes request bodies; one per thread (not thread-safe), reused for every request of that thread. */
    static final class Writer {
        private final Sink sink = new Sink();
        private final JsonGenerator generator;

        Writer() {
            try {
                generator = FACTORY.createGenerator(sink);
            } catch (IOException e) {
                throw new IllegalStateException("cannot make a JSON generator", e); // it only wraps the sink
            }
            generator.setRootValueSeparator(null); // one body after another, nothing in between
        }

        /** The body of {@code POST /api/v1/messages}, in a new buffer from {@code alloc} (the caller owns it). */
        ByteBuf single(ByteBufAllocator alloc, ApiClient.Message m) throws IOException {
            return body(alloc.buffer(256), g -> write(g, m));
        }

        /** The body of {@code POST /api/v1/messages/batch}: {@code {"messages":[...]}}. */
        ByteBuf batch(ByteBufAllocator alloc, List<ApiClient.Message> messages) throws IOException {
            return body(alloc.buffer(128 * messages.size() + 16), g -> {
                g.writeStartObject();
                g.writeArrayFieldStart("messages");
                for (ApiClient.Message m : messages) {
                    write(g, m);
                }
                g.writeEndArray();
                g.writeEndObject();
            });
        }

        private ByteBuf body(ByteBuf out, Body content) throws IOException {
            sink.target = out;
            try {
                content.writeTo(generator);
                generator.flush();
                return out;
            } catch (IOException | RuntimeException e) {
                out.release();
                throw e;
            } finally {
                sink.target = null;
            }
        }
    }

    /** What a body holds, written with the thread's generator. */
    private interface Body {
        void writeTo(JsonGenerator g) throws IOException;
    }

    /** The generator's output: whichever buffer the current body goes to. */
    private static final class Sink extends OutputStream {
        ByteBuf target;

        @Override
        public void write(int b) {
            target.writeByte(b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            target.writeBytes(b, off, len);
        }
    }

    /** {@code {"topic":..,"payload":..,"delayMs"|"deliverAt":..}}, leaving out null fields. */
    static void write(JsonGenerator g, ApiClient.Message m) throws IOException {
        g.writeStartObject();
        if (m.topic() != null) {
            g.writeStringField("topic", m.topic());
        }
        if (m.payload() != null) {
            g.writeStringField("payload", m.payload());
        }
        if (m.delayMs() != null) {
            g.writeNumberField("delayMs", m.delayMs());
        }
        if (m.deliverAt() != null) {
            g.writeNumberField("deliverAt", m.deliverAt());
        }
        g.writeEndObject();
    }

    /**
     * The outcome of a 2xx single-submit answer ({@code {"id":"..","deliverAt":123,"state":".."}}, members in any
     * order, others skipped): accepted, or failed when the body is not JSON or lacks a string id or a whole
     * deliverAt.
     */
    static ApiClient.Outcome readAccepted(int status, byte[] body, int offset, int length) {
        try (JsonParser p = FACTORY.createParser(body, offset, length)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return ApiClient.Outcome.failed("HTTP " + status + " answer without id/deliverAt");
            }
            String id = null;
            long deliverAt = 0;
            boolean haveDeliverAt = false;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (name.equals("id") && value == JsonToken.VALUE_STRING) {
                    id = p.getText();
                } else if (name.equals("deliverAt") && value == JsonToken.VALUE_NUMBER_INT
                        && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
                    deliverAt = p.getLongValue();
                    haveDeliverAt = true;
                } else {
                    p.skipChildren();
                }
            }
            return id != null && haveDeliverAt ? new ApiClient.Outcome(id, deliverAt, null)
                    : ApiClient.Outcome.failed("HTTP " + status + " answer without id/deliverAt");
        } catch (IOException e) {
            return ApiClient.Outcome.failed("HTTP " + status + " unreadable body");
        }
    }
}
