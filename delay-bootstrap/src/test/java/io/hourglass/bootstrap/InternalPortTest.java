package io.hourglass.bootstrap;

import io.hourglass.bootstrap.config.BootstrapAppProperties;
import io.hourglass.bootstrap.config.PortsConfiguration;
import io.hourglass.bootstrap.config.ProtocolProperties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.http.HttpMessageConvertersAutoConfiguration;
import org.springframework.boot.autoconfigure.jackson.JacksonAutoConfiguration;
import org.springframework.boot.autoconfigure.web.servlet.DispatcherServletAutoConfiguration;
import org.springframework.boot.autoconfigure.web.servlet.ServletWebServerFactoryAutoConfiguration;
import org.springframework.boot.autoconfigure.web.servlet.WebMvcAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The internal endpoint answers on {@code delay.protocol.internal-port} only, and that port answers nothing else but
 * health: a real Tomcat with both connectors, requests written byte for byte (so no client normalises the path).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class InternalPortTest {

    private static ConfigurableApplicationContext app;
    private static int apiPort;
    private static int internalPort;

    @RestController
    static class Endpoints {
        @GetMapping("/internal/v1/messages/{id}")
        String internal(@PathVariable String id) {
            return "internal " + id;
        }

        @GetMapping("/api/v1/ping")
        String api() {
            return "api";
        }

        @GetMapping("/livez")
        String live() {
            return "live";
        }

        @GetMapping("/admin/api/v1/apps")
        String admin() {
            return "admin";
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration({ServletWebServerFactoryAutoConfiguration.class, DispatcherServletAutoConfiguration.class,
            WebMvcAutoConfiguration.class, HttpMessageConvertersAutoConfiguration.class, JacksonAutoConfiguration.class})
    @EnableConfigurationProperties({ProtocolProperties.class, BootstrapAppProperties.class})
    @Import({PortsConfiguration.class, Endpoints.class})
    static class WebApp {
    }

    @BeforeAll
    static void start() throws IOException {
        internalPort = freePort();
        app = new SpringApplicationBuilder(WebApp.class).web(WebApplicationType.SERVLET)
                .properties("server.port=0", "server.address=127.0.0.1", "delay.protocol.internal-port=" + internalPort,
                        "spring.main.banner-mode=off")
                .run();
        apiPort = Integer.parseInt(app.getEnvironment().getProperty("local.server.port"));
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.close();
        }
    }

    @Test
    void theApiPortServesTheApiAndTheInternalPortServesTheInternalEndpoint() throws IOException {
        assertThat(get(apiPort, "/api/v1/ping")).startsWith("HTTP/1.1 200").endsWith("api");
        assertThat(get(internalPort, "/internal/v1/messages/42")).startsWith("HTTP/1.1 200").endsWith("internal 42");
        assertThat(get(internalPort, "/livez")).startsWith("HTTP/1.1 200");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/internal/v1/messages/42", "/internal", "/internal/", "/api/v1/../internal/v1/messages/42",
            "/internal;x=1/v1/messages/42", "/%69nternal/v1/messages/42", "//internal/v1/messages/42"})
    void theInternalEndpointIsNotOnTheApiPort(String path) throws IOException {
        String answer = get(apiPort, path);
        assertThat(answer).doesNotContain("internal 42").containsAnyOf("HTTP/1.1 404", "HTTP/1.1 400");
    }

    @Test
    void theApiPortAnswersTheInternalPathAsAnUnknownPath() throws IOException {
        assertThat(get(apiPort, "/internal/v1/messages/42")).startsWith("HTTP/1.1 404")
                .containsIgnoringCase("content-type: application/problem+json")
                .contains("\"type\":\"https://hourglass.dev/problems/not-found\"")
                .contains("\"detail\":\"There is no endpoint at this path\"");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/api/v1/ping", "/admin/api/v1/apps", "/", "/internalx", "/internal/../api/v1/ping"})
    void theInternalPortAnswersNothingElse(String path) throws IOException {
        String answer = get(internalPort, path);
        assertThat(answer).startsWith("HTTP/1.1 404").containsIgnoringCase("content-type: application/problem+json")
                .contains("\"type\":\"https://hourglass.dev/problems/not-found\"")
                .doesNotContain("api\n").doesNotContain("admin\n");
    }

    /** One request as raw bytes; the whole answer (status line, headers, body). */
    private static String get(int port, String path) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
