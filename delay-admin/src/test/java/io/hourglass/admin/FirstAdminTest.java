package io.hourglass.admin;

import io.hourglass.admin.app.AdminTestApplication;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.web.servlet.AutoConfigureMockMvc;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.test.web.servlet.MockMvc;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.httpBasic;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;

class FirstAdminTest {

    @Nested
    @SpringBootTest(classes = AdminTestApplication.class, properties = {
            "delay.admin.first-admin.username=boss", "delay.admin.first-admin.password=configured-password-1"})
    @AutoConfigureMockMvc
    class FromProperties {
        @Autowired
        MockMvc mvc;

        @Test
        void theConfiguredFirstAdminLogsInAsAdmin() throws Exception {
            assertThat(mvc.perform(get("/admin/api/v1/users").with(httpBasic("boss", "configured-password-1")))
                    .andReturn().getResponse().getStatus()).isEqualTo(200);
            assertThat(mvc.perform(get("/admin/api/v1/users").with(httpBasic("boss", "something-else")))
                    .andReturn().getResponse().getStatus()).isEqualTo(401);
        }
    }

    @Nested
    @ExtendWith(OutputCaptureExtension.class)
    class Generated {
        @Test
        void withoutAPasswordOneIsGeneratedIntoAnOwnerOnlyFileNeverIntoTheLog(CapturedOutput output,
                                                                             @TempDir Path dir) throws Exception {
            Path file = dir.resolve("secrets/admin-initial-password");
            try (var context = new org.springframework.boot.builder.SpringApplicationBuilder(AdminTestApplication.class)
                    .properties("server.port=0", "delay.admin.first-admin.username=first",
                            "delay.admin.first-admin.password-file=" + file).run()) {
                String password = Files.readString(file).trim();
                assertThat(password).hasSizeGreaterThanOrEqualTo(20);
                assertThat(Files.getPosixFilePermissions(file)).containsExactlyInAnyOrder(
                        PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
                assertThat(output.getAll()).as("the log names the file, never the password")
                        .contains(file.toAbsolutePath().toString()).doesNotContain(password);
                int port = context.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
                var client = java.net.http.HttpClient.newHttpClient();
                var ok = client.send(java.net.http.HttpRequest.newBuilder(
                                java.net.URI.create("http://127.0.0.1:" + port + "/admin/api/v1/users"))
                        .header("Authorization", "Basic " + java.util.Base64.getEncoder()
                                .encodeToString(("first:" + password).getBytes()))
                        .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
                assertThat(ok.statusCode()).isEqualTo(200);
                assertThat(ok.body()).contains("\"first\"").doesNotContain(password);
            }
        }
    }
}
