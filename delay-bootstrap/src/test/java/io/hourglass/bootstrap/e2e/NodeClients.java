package io.hourglass.bootstrap.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The Node.js clients of {@code src/test/node} (kafkajs, {@code @grpc/grpc-js}), each a script run as
 * {@code node <script> <args>} that prints its answer as one line of JSON. Node.js and the packages are installed by
 * {@code scripts/test.sh} ({@code scripts/lib/node.sh}); when either is missing the call fails saying so, since a
 * test that skipped itself here would prove nothing.
 */
final class NodeClients {

    static final Path DIR = Path.of("src/test/node");
    /** The IDL a client in another language generates its stubs from (here loaded at run time). */
    static final Path PROTO = Path.of("../delay-client/delay-client-api/src/main/protobuf/hourglass/delay/v1/message_service.proto");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String INSTALL = "scripts/test.sh installs them (scripts/lib/node.sh, ensure_node_clients); "
            + "by hand: (cd delay-bootstrap/src/test/node && npm ci)";

    private NodeClients() {
    }

    /** Runs {@code script} with {@code args} and answers the JSON it printed; fails with its stderr otherwise. */
    static JsonNode run(String script, String... args) throws IOException, InterruptedException {
        if (!Files.isDirectory(DIR.resolve("node_modules"))) {
            throw new IllegalStateException(DIR.toAbsolutePath() + " has no node_modules: " + INSTALL);
        }
        Path out = Files.createTempFile("node-out", ".json");
        Path err = Files.createTempFile("node-err", ".txt");
        List<String> cmd = new ArrayList<>(List.of("node", script));
        cmd.addAll(List.of(args));
        Process node;
        try {
            node = new ProcessBuilder(cmd).directory(DIR.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot run node (Node.js 18 or later): " + INSTALL, e);
        }
        try {
            if (!node.waitFor(45, TimeUnit.SECONDS)) {
                node.destroyForcibly().waitFor();
                throw new AssertionError("node " + script + " did not finish within 45 s; stderr:\n" + Files.readString(err));
            }
            if (node.exitValue() != 0) {
                throw new AssertionError("node " + script + " exited with " + node.exitValue() + ":\n" + Files.readString(err));
            }
            List<String> lines = Files.readAllLines(out).stream().filter(l -> !l.isBlank()).toList();
            if (lines.isEmpty()) {
                throw new AssertionError("node " + script + " printed nothing; stderr:\n" + Files.readString(err));
            }
            return JSON.readTree(lines.get(lines.size() - 1));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** {@code value} as JSON, for a script's arguments. */
    static String json(Object value) throws IOException {
        return JSON.writeValueAsString(value);
    }
}
