package io.hourglass.exporter.http;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class OpenApiDocumentTest extends ApiTestSupport {

    @Test
    void openApiDocumentDescribesTheApi() {
        Reply reply = call("GET", "/v3/api-docs", null);

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.raw().body()).contains("/api/v1/messages");
        JsonNode doc = reply.json();
        assertThat(doc.at("/paths").has("/api/v1/messages/batch")).isTrue();
        assertThat(doc.at("/paths").has("/api/v1/messages/{id}")).isTrue();
        assertThat(doc.at("/paths/~1api~1v1~1messages~1{id}~1redrive/post/responses").has("409")).isTrue();
        assertThat(doc.at("/paths").has("/delay/sendDelayMsg")).isTrue();
        assertThat(doc.at("/paths").has("/delay/cancelDelayMsg")).isTrue();
        assertThat(doc.at("/paths").has("/error")).isFalse();
        assertThat(doc.at("/components/securitySchemes/appKey/name").asText()).isEqualTo("X-App-Key");
        assertThat(doc.at("/components/securitySchemes/appSecret/name").asText()).isEqualTo("X-App-Secret");

        JsonNode submit = doc.at("/paths/~1api~1v1~1messages/post");
        assertThat(submit.path("summary").asText()).isNotBlank();
        assertThat(submit.at("/responses/201/headers").has("Location")).isTrue();
        assertThat(submit.at("/responses/201/content/application~1json/schema/$ref").asText()).endsWith("SubmitResponse");
        assertThat(submit.at("/responses/400/content/application~1problem+json/schema/$ref").asText()).endsWith("Problem");
        assertThat(submit.at("/responses").has("401")).isTrue();
        assertThat(submit.path("parameters").toString()).contains("Idempotency-Key");
        assertThat(submit.path("security").toString()).contains("appKey", "appSecret");
        assertThat(doc.at("/paths/~1api~1v1~1messages~1{id}/delete/responses").has("409")).isTrue();
    }

    @Test
    void swaggerUiIsServed() throws Exception {
        HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(5)).build();

        HttpResponse<String> page = client.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/swagger-ui.html"))
                .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).containsIgnoringCase("swagger");
    }
}
