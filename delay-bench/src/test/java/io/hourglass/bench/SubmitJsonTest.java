package io.hourglass.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class SubmitJsonTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final UnpooledByteBufAllocator ALLOC = new UnpooledByteBufAllocator(false);

    private static String text(ByteBuf buf) {
        try {
            return buf.toString(StandardCharsets.UTF_8);
        } finally {
            buf.release();
        }
    }

    private static ApiClient.Outcome read(String json) {
        byte[] b = ("xx" + json + "yy").getBytes(StandardCharsets.UTF_8);
        return SubmitJson.readAccepted(201, b, 2, b.length - 4);
    }

    /** What ObjectMapper writes as UTF-8 (as bytes it escapes a surrogate pair, as a String it does not). */
    private static String mapped(Object value) throws IOException {
        return new String(JSON.writeValueAsBytes(value), StandardCharsets.UTF_8);
    }

    @Test
    void bodiesAreWhatObjectMapperWritesOneAfterAnotherFromOneWriter() throws IOException {
        ApiClient.Message[] messages = {
                new ApiClient.Message("demo", "hgb:1a2b:17:" + ".".repeat(52), 600_000L, null),
                new ApiClient.Message("demo", "p", null, 1_763_000_000_123L),
                new ApiClient.Message("t", "quote \" backslash \\ tab \t nl \n nul \u0000 del \u007f", 0L, null),
                new ApiClient.Message("ünïcödé", "€ 日本 \uD83D\uDE00 é", -5L, null),
                new ApiClient.Message(null, null, null, Long.MIN_VALUE),
                new ApiClient.Message("demo", "x".repeat(20_000), Long.MAX_VALUE, null), // over the generator's buffer
        };
        SubmitJson.Writer writer = new SubmitJson.Writer();
        for (ApiClient.Message m : messages) {
            assertThat(text(writer.single(ALLOC, m))).isEqualTo(mapped(m));
        }
        List<ApiClient.Message> batch = List.of(messages);
        assertThat(text(writer.batch(ALLOC, batch))).isEqualTo(mapped(Map.of("messages", batch)));
        assertThat(text(writer.single(ALLOC, messages[0]))).isEqualTo(mapped(messages[0]));
    }

    @Test
    void theAnswerIsReadInAnyOrderWithOtherMembersAndEscapes() {
        assertThat(read("{\"id\":\"0192f3a4-7b1c-7def-8000-00000000002a\",\"deliverAt\":1763000600123,\"state\":\"SCHEDULED\"}"))
                .isEqualTo(new ApiClient.Outcome("0192f3a4-7b1c-7def-8000-00000000002a", 1763000600123L, null));
        assertThat(read(" {\n \"state\" : \"SCHEDULED\" ,\"extra\":{\"id\":\"inner\",\"a\":[1,{\"b\":\"}\"}]},"
                + " \"n\": -1.5e3, \"t\":true, \"z\":null, \"deliverAt\" :\t-42 , \"id\" : \"x\\\"y\" } "))
                .isEqualTo(new ApiClient.Outcome("x\"y", -42, null));
        assertThat(read("{\"id\":\"é-id\",\"deliverAt\":7}")).isEqualTo(new ApiClient.Outcome("é-id", 7, null));
    }

    @Test
    void anAnswerWithoutAStringIdAndAWholeDeliverAtIsAFailure() {
        String missing = "HTTP 201 answer without id/deliverAt";
        assertThat(read("{\"deliverAt\":1}").error()).isEqualTo(missing);
        assertThat(read("{\"id\":\"a\"}").error()).isEqualTo(missing);
        assertThat(read("{\"id\":null,\"deliverAt\":1}").error()).isEqualTo(missing);
        assertThat(read("{\"id\":\"a\",\"deliverAt\":1.5}").error()).isEqualTo(missing);
        assertThat(read("{\"id\":\"a\",\"deliverAt\":\"1\"}").error()).isEqualTo(missing);
        assertThat(read("{\"id\":\"a\",\"deliverAt\":12345678901234567890}").error()).isEqualTo(missing);
        assertThat(read("[{\"id\":\"a\",\"deliverAt\":1}]").error()).isEqualTo(missing);
        assertThat(read("{\"id\":\"a\",\"deliverAt\":1").error()).isEqualTo("HTTP 201 unreadable body");
        assertThat(read("not json").error()).isEqualTo("HTTP 201 unreadable body");
        assertThat(read("").error()).isEqualTo(missing);
    }
}
