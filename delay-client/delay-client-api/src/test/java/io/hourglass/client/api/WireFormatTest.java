package io.hourglass.client.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class WireFormatTest {

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void batchSuccessItemHasNoErrorKey() throws Exception {
        JsonNode node = json.valueToTree(BatchItem.created("42", 1_700_000_000_000L, "SCHEDULED"));

        assertThat(node.properties()).extracting(Map.Entry::getKey).containsExactly("id", "deliverAt", "state");
        assertThat(node.get("id").isTextual()).isTrue();
        assertThat(node.get("deliverAt").isNumber()).isTrue();
    }

    @Test
    void batchErrorItemHasOnlyTheErrorKey() {
        Problem problem = new Problem(Problem.TYPE_PREFIX + "validation-failed", "Validation failed", 400,
                "topic is required", null, List.of(new Problem.FieldError("topic", "is required")));

        JsonNode node = json.valueToTree(BatchItem.failed(problem));

        assertThat(node.properties()).extracting(Map.Entry::getKey).containsExactly("error");
        assertThat(node.get("error").properties()).extracting(Map.Entry::getKey)
                .containsExactly("type", "title", "status", "detail", "errors");
        assertThat(node.at("/error/errors/0/field").asText()).isEqualTo("topic");
    }

    @Test
    void problemWithoutFieldErrorsOmitsErrorsButKeepsStatus() {
        JsonNode node = json.valueToTree(new Problem(Problem.TYPE_PREFIX + "overloaded", "Overloaded", 503, "busy",
                "/api/v1/messages", null));

        assertThat(node.properties()).extracting(Map.Entry::getKey)
                .containsExactly("type", "title", "status", "detail", "instance");
    }

    @Test
    void problemCodeIsTheTailOfItsType() throws Exception {
        Problem problem = json.readValue("{\"type\":\"https://hourglass.dev/problems/topic-forbidden\",\"status\":403}",
                Problem.class);

        assertThat(problem.code()).isEqualTo("topic-forbidden");
        assertThat(problem.status()).isEqualTo(403);
        assertThat(new Problem("about:blank", null, 500, null, null, null).code()).isNull();
    }

    @Test
    void messageViewAlwaysCarriesEveryDocumentedField() {
        JsonNode node = json.valueToTree(new MessageView("7", "demo", null, "p", Map.of(), 5L, "SCHEDULED", 0, null,
                1L, 2L, null));

        assertThat(node.properties()).extracting(Map.Entry::getKey).containsExactly("id", "topic", "key", "payload",
                "headers", "deliverAt", "state", "attempts", "repeatIntervalMs", "createdAt", "updatedAt", "expiresAt");
        assertThat(node.get("key").isNull()).isTrue();
    }

    @Test
    void submitRequestLeavesUnsetMembersOutAndReadsBack() throws Exception {
        String text = json.writeValueAsString(SubmitRequest.delayed("demo", "hello", 1000));

        assertThat(text).isEqualTo("{\"topic\":\"demo\",\"payload\":\"hello\",\"delayMs\":1000}");
        assertThat(json.readValue(text, SubmitRequest.class)).isEqualTo(SubmitRequest.delayed("demo", "hello", 1000));
    }

    @Test
    void unknownPropertiesAreIgnoredWhenReading() throws Exception {
        SubmitResponse response = json.readValue("{\"id\":\"1\",\"deliverAt\":3,\"state\":\"SCHEDULED\",\"shard\":9}",
                SubmitResponse.class);
        BatchSubmitRequest batch = json.readValue("{\"messages\":[{\"topic\":\"t\",\"payload\":\"p\",\"delayMs\":0,"
                + "\"priority\":1}],\"trace\":true}", BatchSubmitRequest.class);
        RescheduleRequest reschedule = json.readValue("{\"extendMs\":-5,\"why\":\"x\"}", RescheduleRequest.class);

        assertThat(response).isEqualTo(new SubmitResponse("1", 3, "SCHEDULED"));
        assertThat(batch.messages()).containsExactly(SubmitRequest.delayed("t", "p", 0));
        assertThat(reschedule).isEqualTo(RescheduleRequest.extendBy(-5));
    }

    @Test
    void batchResponseReadsBothKindsOfItems() throws Exception {
        BatchSubmitResponse response = json.readValue("{\"results\":[{\"id\":\"1\",\"deliverAt\":3,\"state\":\"SCHEDULED\"},"
                + "{\"error\":{\"type\":\"https://hourglass.dev/problems/validation-failed\",\"status\":400}}]}",
                BatchSubmitResponse.class);

        assertThat(response.results()).hasSize(2);
        assertThat(response.results().get(0).hasError()).isFalse();
        assertThat(response.results().get(1).hasError()).isTrue();
        assertThat(response.results().get(1).error().code()).isEqualTo("validation-failed");
    }

    @Test
    void cancelAndRescheduleResponsesUseStringIdsAndNumericTimes() {
        JsonNode cancel = json.valueToTree(new CancelResponse("99", "CANCELLED"));
        JsonNode reschedule = json.valueToTree(new RescheduleResponse("99", 10L, "SCHEDULED"));

        assertThat(cancel.get("id").isTextual()).isTrue();
        assertThat(reschedule.get("deliverAt").isNumber()).isTrue();
    }
}
