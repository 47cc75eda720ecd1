package io.hourglass.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class SubmitJsonTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static String written(ApiClient.Message m) {
        SubmitJson.Sink sink = new SubmitJson.Sink(16); // small: the writer has to grow it
        SubmitJson.write(sink, m);
        return new String(sink.bytes, 0, sink.size, StandardCharsets.UTF_8);
    }

    private static ApiClient.Outcome scan(String json) {
        byte[] b = ("xx" + json + "yy").getBytes(StandardCharsets.UTF_8);
        return SubmitJson.scanAccepted(b, 2, b.length - 4);
    }

    @Test
    void theRequestBodyIsByteForByteWhatJacksonWrites() throws Exception {
        ApiClient.Message[] messages = {
                new ApiClient.Message("demo", "hgb:1a2b:17:" + ".".repeat(52), 600_000L, null),
                new ApiClient.Message("demo", "p", null, 1_763_000_000_123L),
                new ApiClient.Message("t", "quote \" backslash \\ slash / tab \t nl \n cr \r bs \b ff \f nul \u0000 us \u001f del \u007f",
                        0L, null),
                new ApiClient.Message("ünïcödé", "€ 日本 \uD83D\uDE00 é", -5L, null),
                new ApiClient.Message("demo", "", null, Long.MIN_VALUE),
                new ApiClient.Message("demo", "x".repeat(5000), Long.MAX_VALUE, null),
        };
        for (ApiClient.Message m : messages) {
            assertThat(written(m)).isEqualTo(JSON.writeValueAsString(m));
        }
    }

    @Test
    void theScannerReadsTheCompactAnswer() {
        assertThat(scan("{\"id\":\"0192f3a4-7b1c-7def-8000-00000000002a\",\"deliverAt\":1763000600123,\"state\":\"SCHEDULED\"}"))
                .isEqualTo(new ApiClient.Outcome("0192f3a4-7b1c-7def-8000-00000000002a", 1763000600123L, null));
    }

    @Test
    void theScannerCopesWithWhitespaceOrderAndOtherMembers() {
        assertThat(scan(" {\n \"state\" : \"SCHEDULED\" ,\"extra\":{\"id\":\"inner\",\"a\":[1,{\"b\":\"}\"}]},"
                + " \"n\": -1.5e3, \"t\":true, \"z\":null, \"deliverAt\" :\t-42 , \"id\" : \"x\\\"y-not-an-id\\\"\", \"id\":\"real\" } "))
                .isEqualTo(null); // an escaped id: the scanner is not sure, Jackson decides
        assertThat(scan(" {\n \"state\" : \"SCHEDULED\" ,\"extra\":{\"id\":\"inner\",\"a\":[1,{\"b\":\"}\"}]},"
                + " \"n\": -1.5e3, \"t\":true, \"z\":null, \"deliverAt\" :\t-42 , \"id\" : \"real\" } "))
                .isEqualTo(new ApiClient.Outcome("real", -42, null));
        assertThat(scan("{\"id\":\"é-id\",\"deliverAt\":7}")).isEqualTo(new ApiClient.Outcome("é-id", 7, null));
    }

    @Test
    void theScannerGivesUpOnAnythingElse() {
        assertThat(scan("{\"deliverAt\":1}")).isNull();
        assertThat(scan("{\"id\":\"a\"}")).isNull();
        assertThat(scan("{\"id\":null,\"deliverAt\":1}")).isNull();
        assertThat(scan("{\"id\":\"a\",\"deliverAt\":1.5}")).isNull();
        assertThat(scan("{\"id\":\"a\",\"deliverAt\":\"1\"}")).isNull();
        assertThat(scan("{\"id\":\"a\",\"deliverAt\":12345678901234567890}")).isNull();
        assertThat(scan("[{\"id\":\"a\",\"deliverAt\":1}]")).isNull();
        assertThat(scan("{\"id\":\"a\",\"deliverAt\":1")).isNull();
        assertThat(scan("{\"id\":\"a\" \"deliverAt\":1}")).isNull();
        assertThat(scan("")).isNull();
        assertThat(scan("not json")).isNull();
    }
}
