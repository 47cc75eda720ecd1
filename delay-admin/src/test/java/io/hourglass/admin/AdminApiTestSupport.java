package io.hourglass.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;

import io.hourglass.admin.app.AdminTestApplication;
import io.hourglass.core.model.AdminRole;
import io.hourglass.core.model.AdminUser;
import io.hourglass.core.testing.InMemoryAdminStore;
import io.hourglass.core.testing.ManualClock;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.web.servlet.AutoConfigureMockMvc;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.RequestPostProcessor;

import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.httpBasic;

/** Boots the admin module on in-memory stores with three users, one per role (password {@link #PASSWORD}). */
@SpringBootTest(classes = AdminTestApplication.class, properties = {
        "delay.admin.first-admin.username=root", "delay.admin.first-admin.password=root-password-123"})
@AutoConfigureMockMvc
abstract class AdminApiTestSupport {

    static final String PASSWORD = "correct-horse-battery";

    @Autowired
    MockMvc mvc;
    @Autowired
    ObjectMapper json;
    @Autowired
    InMemoryAdminStore users;
    @Autowired
    PasswordEncoder encoder;
    @Autowired
    ManualClock clock;

    @BeforeEach
    void usersPerRole() {
        for (AdminRole role : AdminRole.values()) {
            String name = role.name().toLowerCase();
            users.createUser(new AdminUser(name, encoder.encode(PASSWORD), role, true, 0, 0, 0));
        }
        clock.advance(java.time.Duration.ofMinutes(10).toMillis()); // past every login-throttle window
    }

    static RequestPostProcessor as(AdminRole role) {
        return httpBasic(role.name().toLowerCase(), PASSWORD);
    }

    /** Performs {@code req} as {@code role}, asserts the status, and answers the JSON body (null when empty). */
    JsonNode call(MockHttpServletRequestBuilder req, AdminRole role, int expectedStatus) throws Exception {
        MvcResult r = mvc.perform(req.with(as(role))).andReturn();
        org.assertj.core.api.Assertions.assertThat(r.getResponse().getStatus())
                .as(r.getResponse().getContentAsString()).isEqualTo(expectedStatus);
        String body = r.getResponse().getContentAsString();
        return body.isEmpty() ? null : json.readTree(body);
    }

    /** {@code req} with {@code value} as its JSON body. */
    static MockHttpServletRequestBuilder body(MockHttpServletRequestBuilder req, Object value) throws Exception {
        return req.contentType(MediaType.APPLICATION_JSON).content(new ObjectMapper().writeValueAsString(value));
    }
}
