package io.hourglass.admin;

import io.hourglass.admin.app.AdminTestApplication;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.web.servlet.AutoConfigureMockMvc;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.web.servlet.MockMvc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.redirectedUrl;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/**
 * The console's files: public (everything they show comes from the API, behind its login), under a
 * Content-Security-Policy that runs only the server's own scripts, revalidated on every load, and gone with the admin.
 */
class ConsoleTest extends AdminApiTestSupport {

    @Test
    void thePageAndItsAssetsAreServedWithoutLoginUnderAStrictContentSecurityPolicy() throws Exception {
        var page = mvc.perform(get("/admin/")).andExpect(status().isOk())
                .andExpect(header().string("Cache-Control", "no-cache"))
                .andReturn().getResponse();
        assertThat(page.getContentType()).startsWith("text/html");
        assertThat(page.getContentAsString()).contains("assets/console.js").doesNotContain("http://", "https://");
        assertThat(page.getHeader("Content-Security-Policy")).contains("script-src 'self'")
                .contains("frame-ancestors 'none'").contains("connect-src 'self'");
        assertThat(page.getHeader("X-Frame-Options")).isEqualTo("DENY");

        for (String asset : new String[] {"console.js", "pages.js", "api.js", "ui.js", "console.css"}) {
            var r = mvc.perform(get("/admin/assets/" + asset)).andExpect(status().isOk())
                    .andExpect(header().string("Cache-Control", "no-cache")).andReturn().getResponse();
            assertThat(r.getContentAsString()).as(asset).isNotBlank();
            assertThat(r.getContentAsString()).as("nothing loaded from elsewhere by " + asset)
                    .doesNotContain("from 'http", "from \"http", "import('http", "url(http", "url('http", "//cdn");
        }
        mvc.perform(get("/admin")).andExpect(status().isFound()).andExpect(redirectedUrl("/admin/"));
        mvc.perform(get("/admin/assets/missing.js")).andExpect(status().isNotFound());
    }

    @Test
    void theApiBehindThePageStillNeedsALogin() throws Exception {
        mvc.perform(get("/admin/api/v1/apps")).andExpect(status().isUnauthorized());
        mvc.perform(get("/admin/other-page")).andExpect(status().isUnauthorized());
    }

    @Nested
    @SpringBootTest(classes = AdminTestApplication.class, properties = "delay.admin.enabled=false")
    @AutoConfigureMockMvc
    class WithTheAdminOff {

        @Autowired
        MockMvc off;

        @Test
        void nothingOfTheConsoleIsServed() throws Exception {
            off.perform(get("/admin/")).andExpect(status().isNotFound());
            off.perform(get("/admin/assets/console.js")).andExpect(status().isNotFound());
        }
    }
}
