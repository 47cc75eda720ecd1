package io.hourglass.exporter.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import io.hourglass.client.api.BatchSubmitRequest;
import io.hourglass.client.api.SubmitRequest;
import io.hourglass.core.error.ValidationException;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a batch request entry by entry and stops at entry 1001: an array of millions of {@code {}} (a few bytes each,
 * within the body cap) is refused after 1001 small objects instead of being built in memory first.
 */
final class BoundedBatchDeserializer extends JsonDeserializer<BatchSubmitRequest> {

    @Override
    public BatchSubmitRequest deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            return (BatchSubmitRequest) ctx.handleUnexpectedToken(BatchSubmitRequest.class, p);
        }
        List<SubmitRequest> messages = null;
        for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            if (!"messages".equals(field)) {
                p.skipChildren();
                continue;
            }
            if (value == JsonToken.VALUE_NULL) {
                messages = null;
                continue;
            }
            if (value != JsonToken.START_ARRAY) {
                return (BatchSubmitRequest) ctx.handleUnexpectedToken(List.class, p);
            }
            messages = new ArrayList<>();
            while (p.nextToken() != JsonToken.END_ARRAY) {
                if (messages.size() == MessagesController.MAX_BATCH) {
                    throw JsonMappingException.from(p, "too many entries", new ValidationException("messages",
                            "must hold 1 to " + MessagesController.MAX_BATCH + " entries, had more"));
                }
                try {
                    messages.add(ctx.readValue(p, SubmitRequest.class));
                } catch (JsonMappingException e) {
                    throw JsonMappingException.wrapWithPath(JsonMappingException.wrapWithPath(e, messages,
                            messages.size()), BatchSubmitRequest.class, "messages");
                }
            }
        }
        return new BatchSubmitRequest(messages);
    }
}
