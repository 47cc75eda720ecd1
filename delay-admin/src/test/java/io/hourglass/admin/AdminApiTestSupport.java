package io.hourglass.admin;

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
}
