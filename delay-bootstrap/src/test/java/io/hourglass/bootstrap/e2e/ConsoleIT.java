package io.hourglass.bootstrap.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.WebElement;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The operator console in a real browser (headless Chromium through Selenium) against the packaged server: what an
 * operator does with it, checked through the app API and Kafka rather than through the pages alone. Each test saves
 * screenshots under {@code target/console-screenshots/} (docs/admin.md shows them).
 */
@Timeout(600)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsoleIT {

    private static final String VIEWER_PASSWORD = "viewer-password-1";

    private Path dir;
    private ServerProcess server;
    private String bootstrap;
    private AdminApiScenario api;
    private ConsoleBrowser browser;

    @BeforeAll
    void startServer() throws Exception {
        dir = Files.createTempDirectory("console-it");
        int kafkaPort = ServerProcess.freePort();
        bootstrap = "127.0.0.1:" + kafkaPort;
        server = ServerProcess.standalone(dir, kafkaPort, AdminApiScenario.ADMIN_ARG).start();
        api = new AdminApiScenario(server.baseUrl());
        AdminApiScenario.Answer viewer = api.admin("POST", "/admin/api/v1/users",
                Map.of("username", "viewer", "password", VIEWER_PASSWORD, "role", "VIEWER"));
        assertThat(viewer.status()).as("%s", viewer.body()).isEqualTo(201);
    }

    @AfterAll
    void stopServer() throws Exception {
        if (server != null) {
            server.stop();
        }
    }

    @BeforeEach
    void openBrowser() {
        browser = new ConsoleBrowser(server.baseUrl());
    }

    @AfterEach
    void closeBrowser() {
        if (browser != null) {
            browser.close();
        }
    }

    @Test
    void anOperatorCreatesAnAppAndCancelsItsMessageFromTheMessagesPageAndItNeverReachesKafka() throws Exception {
        String appKey = "shop-" + UUID.randomUUID().toString().substring(0, 6);
        String topic = appKey + "-timeouts";

        browser.login("admin", AdminApiScenario.ADMIN_PASSWORD);
        browser.awaitHeading("Overview");
        browser.screenshot("overview");

        // create the app: its secret is shown once, with a copy button and a warning
        browser.open("#/apps").awaitHeading("Apps & keys");
        browser.await(By.cssSelector("#create-app summary")).click();
        browser.await(By.id("new-app-key")).sendKeys(appKey);
        browser.await(By.id("new-app-name")).sendKeys("Shop");
        browser.await(By.id("create-app-submit")).click();
        String secret = browser.await(By.id("secret")).getText().trim();
        assertThat(browser.await(By.id("copy-secret")).isDisplayed()).isTrue();
        assertThat(browser.await(By.id("secret-card")).getText()).contains("shown this once");
        browser.screenshot("apps-secret-shown-once");
        assertThat(api.admin("GET", "/admin/api/v1/apps/" + appKey, null).raw().body()).doesNotContain(secret);

        // allow it a topic on its page
        browser.open("#/apps/" + appKey).awaitHeading("App " + appKey);
        browser.await(By.id("new-topic")).sendKeys(topic);
        browser.await(By.id("allow-topic")).click();
        browser.awaitText(By.id("topics"), topic);
        browser.screenshot("app-detail");
        browser.open("#/apps").awaitHeading("Apps & keys");
        assertThat(browser.all(By.id("secret"))).as("the secret is never shown again").isEmpty();

        // submit with the new key over REST: one to cancel, one that fires at the same time (so that "never reaches
        // Kafka" is checked after a message due at that time did reach it)
        long delayMs = 30_000;
        String doomed = submit(appKey, secret, topic, "cancel me", delayMs);
        String control = submit(appKey, secret, topic, "deliver me", delayMs);

        // find it on the Messages page by filter (the URL carries the filter), open it, cancel it there
        browser.open("#/messages").awaitHeading("Messages");
        browser.await(By.id("f-app")).sendKeys(appKey);
        browser.await(By.id("search")).click();
        browser.awaitText(By.id("messages"), doomed);
        assertThat(browser.driver.getCurrentUrl()).contains("appKey=" + appKey).contains("state=SCHEDULED");
        browser.screenshot("messages");
        browser.await(By.linkText(doomed)).click();
        browser.awaitText(By.id("message-id"), doomed);
        browser.screenshot("message-detail");
        browser.clickAndConfirm(By.id("cancel"));
        browser.awaitText(By.id("message-state"), "CANCELLED");

        AdminApiScenario.Answer read = api.app(appKey, secret, "GET", "/api/v1/messages/" + doomed, null);
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.body().get("state").asText()).isEqualTo("CANCELLED");

        try (KafkaReader kafka = new KafkaReader(bootstrap, topic)) {
            await().atMost(Duration.ofSeconds(delayMs / 1000 + 60)).pollInterval(Duration.ofMillis(250)).until(() -> {
                kafka.poll();
                return kafka.byId().containsKey(control);
            });
            Thread.sleep(1_000);
            kafka.poll();
            assertThat(kafka.byId()).as("the cancelled message never reaches Kafka").doesNotContainKey(doomed);
        }
        assertThat(api.app(appKey, secret, "GET", "/api/v1/messages/" + doomed, null).body().get("state").asText())
                .isEqualTo("CANCELLED");
    }

    @Test
    void aMessageItsTopicRefusesShowsOnDeadLettersAndARedriveFromThereDeliversIt() throws Exception {
        String topic = "refusing-" + UUID.randomUUID().toString().substring(0, 6);
        assertThat(api.admin("PUT", "/admin/api/v1/apps/demo/topics/" + topic, null).status()).isEqualTo(200);
        try (Admin kafka = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            DeadLetterIT.maxMessageBytes(kafka, topic, 1024); // the record below is too large for it: refused for good
            String payload = DeadLetterIT.randomText(8_000);
            String id = submit("demo", "demo-secret", topic, payload, 0);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() ->
                    state(id).equals("DEAD"));

            browser.login("admin", AdminApiScenario.ADMIN_PASSWORD);
            browser.open("#/dead-letters").awaitHeading("Dead letters");
            browser.awaitText(By.id("dead-groups"), topic);
            WebElement group = row(By.id("dead-groups"), topic);
            assertThat(group.getText()).contains("demo").contains("RecordTooLarge");
            browser.screenshot("dead-letters");

            DeadLetterIT.maxMessageBytes(kafka, topic, 1_048_576); // the topic is fixed
            browser.open("#/dead-letters?topic=" + topic).awaitHeading("Dead letters");
            browser.awaitText(By.id("dead-messages"), id);
            WebElement message = row(By.id("dead-messages"), id);
            message.findElement(By.className("redrive-one")).click();
            browser.await(By.id("confirm-yes")).click();

            try (KafkaReader reader = new KafkaReader(bootstrap, topic)) {
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() -> {
                    reader.poll();
                    return reader.byId().containsKey(id);
                });
                assertThat(reader.byId().get(id).get(0).value()).isEqualTo(payload);
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> state(id).equals("DELIVERED"));
        }
    }

    @Test
    void aBulkCancelByFilterShowsTheJobsProgressUntilItEnds() throws Exception {
        String topic = "bulk-" + UUID.randomUUID().toString().substring(0, 6);
        assertThat(api.admin("PUT", "/admin/api/v1/apps/demo/topics/" + topic, null).status()).isEqualTo(200);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(submit("demo", "demo-secret", topic, "bulk " + i, 3_600_000));
        }
        String other = submit("demo", "demo-secret", "demo", "not in the filter", 3_600_000);

        browser.login("admin", AdminApiScenario.ADMIN_PASSWORD);
        browser.open("#/messages?state=SCHEDULED&topic=" + topic).awaitHeading("Messages");
        browser.awaitText(By.id("messages"), ids.get(0));
        browser.clickAndConfirm(By.id("bulk-cancel"));
        browser.until(d -> "SUCCEEDED".equals(d.findElement(By.id("job-progress")).getAttribute("data-state")));
        browser.awaitText(By.id("job-progress"), "3 done, 0 failed of 3 matched");
        browser.screenshot("bulk-cancel-job");
        for (String id : ids) {
            assertThat(state(id)).isEqualTo("CANCELLED");
        }
        assertThat(state(other)).as("outside the filter").isEqualTo("SCHEDULED");
    }

    @Test
    void rotatingASecretShowsTheNewOneOnceAndTheOldOneWorksUntilTheGraceEnds() throws Exception {
        String appKey = "rot-" + UUID.randomUUID().toString().substring(0, 6);
        AdminApiScenario.Answer created = api.admin("POST", "/admin/api/v1/apps", Map.of("appKey", appKey));
        assertThat(created.status()).isEqualTo(201);
        String old = created.body().get("secret").asText();
        assertThat(api.admin("PUT", "/admin/api/v1/apps/" + appKey + "/topics/" + appKey, null).status()).isEqualTo(200);

        browser.login("admin", AdminApiScenario.ADMIN_PASSWORD);
        browser.open("#/apps/" + appKey).awaitHeading("App " + appKey);
        browser.await(By.id("rotate-secret")).click();
        WebElement grace = browser.await(By.id("grace-hours"));
        grace.clear();
        grace.sendKeys("2");
        browser.await(By.id("confirm-yes")).click();
        String fresh = browser.await(By.id("secret")).getText().trim();
        assertThat(fresh).isNotEqualTo(old).hasSizeGreaterThanOrEqualTo(43);
        browser.screenshot("apps-rotated-secret");

        submit(appKey, fresh, appKey, "with the new secret", 3_600_000);
        submit(appKey, old, appKey, "with the old one, within its grace", 3_600_000);
        long graceEnds = api.admin("GET", "/admin/api/v1/apps/" + appKey, null).body()
                .get("previousSecretValidUntil").asLong();
        assertThat(graceEnds - System.currentTimeMillis()).isBetween(Duration.ofMinutes(110).toMillis(),
                Duration.ofHours(2).toMillis());
    }

    @Test
    void aViewerSeesNoChangeControlsAndTheApiRefusesThemWhenForced() throws Exception {
        String id = submit("demo", "demo-secret", "demo", "viewer looks at me", 3_600_000);

        browser.login("viewer", VIEWER_PASSWORD);
        assertThat(browser.await(By.id("role")).getText()).isEqualTo("VIEWER");
        browser.open("#/apps").awaitHeading("Apps & keys");
        browser.awaitText(By.id("apps"), "demo");
        assertThat(browser.all(By.id("create-app"))).as("no create").isEmpty();

        browser.open("#/apps/demo").awaitHeading("App demo");
        for (String control : List.of("rotate-secret", "disable-app", "enable-app", "allow-topic", "save-quotas")) {
            assertThat(browser.all(By.id(control))).as(control).isEmpty();
        }
        assertThat(browser.all(By.className("revoke-topic"))).isEmpty();
        browser.screenshot("app-detail-viewer");

        browser.open("#/messages/" + id).awaitText(By.id("message-id"), id);
        for (String control : List.of("cancel", "retime", "deliver-now")) {
            assertThat(browser.all(By.id(control))).as(control).isEmpty();
        }

        // forced from the viewer's own logged-in browser (session cookie and CSRF token): refused
        Object status = browser.asyncScript("""
                const done = arguments[arguments.length - 1];
                fetch('api/v1/session').then(r => r.json()).then(s => fetch('api/v1/messages/' + arguments[0] + '/cancel',
                    { method: 'POST', headers: { 'X-XSRF-TOKEN': s.csrfToken, 'Content-Type': 'application/json' } }))
                  .then(r => done(r.status), e => done('error ' + e));
                """, id);
        assertThat(status).isEqualTo(403L);
        Object create = browser.asyncScript("""
                const done = arguments[arguments.length - 1];
                fetch('api/v1/session').then(r => r.json()).then(s => fetch('api/v1/apps', { method: 'POST',
                    headers: { 'X-XSRF-TOKEN': s.csrfToken, 'Content-Type': 'application/json' },
                    body: JSON.stringify({ appKey: 'forced-by-viewer' }) }))
                  .then(r => done(r.status), e => done('error ' + e));
                """);
        assertThat(create).isEqualTo(403L);
        assertThat(state(id)).isEqualTo("SCHEDULED");
        assertThat(api.admin("GET", "/admin/api/v1/apps/forced-by-viewer", null).status()).isEqualTo(404);
    }

    @Test
    void anExpiredSessionSendsYouBackToTheLoginPageAndLogoutEndsIt() throws Exception {
        browser.login("admin", AdminApiScenario.ADMIN_PASSWORD);
        browser.awaitHeading("Overview");
        browser.driver.manage().deleteCookieNamed("JSESSIONID"); // what a session timeout does, seen from the browser
        browser.await(By.cssSelector("#nav a[data-page='cluster']")).click();
        browser.awaitText(By.id("login-error"), "expired");
        browser.screenshot("login");
        browser.fillLogin("admin", AdminApiScenario.ADMIN_PASSWORD);
        browser.awaitHeading("Cluster"); // back where the user was going
        browser.logout();
        browser.open("#/audit");
        browser.await(By.id("username"));
    }

    @Test
    void everyPageRendersWithoutAnErrorAtDesktopAndPhoneWidths() throws Exception {
        String id = submit("demo", "demo-secret", "demo", "{\"order\":42,\"note\":\"<script>alert(1)</script>\"}", 600_000);
        browser.login("admin", AdminApiScenario.ADMIN_PASSWORD);
        browser.consoleErrors();
        Map<String, String> pages = new java.util.LinkedHashMap<>();
        pages.put("overview", "Overview");
        pages.put("messages?state=SCHEDULED&appKey=demo", "Messages");
        pages.put("messages/" + id, "Message");
        pages.put("dead-letters", "Dead letters");
        pages.put("apps", "Apps & keys");
        pages.put("apps/demo", "App demo");
        pages.put("topics", "Topics");
        pages.put("cluster", "Cluster");
        pages.put("audit", "Audit");
        List<String> problems = new ArrayList<>();
        for (Dimension size : List.of(ConsoleBrowser.DESKTOP, ConsoleBrowser.PHONE)) {
            browser.size(size);
            for (Map.Entry<String, String> page : pages.entrySet()) {
                browser.open("#/" + page.getKey()).awaitHeading(page.getValue());
                String name = page.getKey().replaceAll("[?/].*", "") + (page.getKey().contains("/") ? "-detail" : "")
                        + (size.equals(ConsoleBrowser.PHONE) ? "-390" : "-1280");
                browser.screenshot("page-" + name);
                // read in one script: a page that refreshes itself cannot swap an element between two reads
                @SuppressWarnings("unchecked")
                List<String> found = (List<String>) browser.script("""
                        const out = [];
                        document.querySelectorAll('#alerts .banner.bad').forEach(e => out.push('error: ' + e.innerText));
                        document.querySelectorAll('main input, main select').forEach(i => {
                          if (i.labels.length === 0) out.push('a field without a label: ' + i.outerHTML);
                        });
                        document.querySelectorAll('main time').forEach(t => {
                          if (!t.title.endsWith(' UTC')) out.push('a time without its UTC form on hover: ' + t.innerText);
                        });
                        return out;
                        """);
                found.forEach(p -> problems.add(page.getKey() + ": " + p));
                Object overflow = browser.script("return document.documentElement.scrollWidth - window.innerWidth;");
                if (((Number) overflow).intValue() > 1) {
                    problems.add(page.getKey() + " at " + size.width + " px is wider than the window by " + overflow + " px");
                }
            }
        }
        problems.addAll(browser.consoleErrors());
        assertThat(problems).isEmpty();
        assertThat(browser.all(By.cssSelector("main time"))).as("times were checked").isNotEmpty();
        // the payload is shown as text, never run
        browser.open("#/messages/" + id).awaitText(By.id("payload"), "<script>alert(1)</script>");

        // an error of the API reads as its problem's detail, not as JSON
        browser.size(ConsoleBrowser.DESKTOP);
        browser.open("#/apps/demo").awaitHeading("App demo");
        browser.await(By.id("new-topic")).sendKeys("no spaces allowed");
        browser.await(By.id("allow-topic")).click();
        String error = browser.await(By.cssSelector("#alerts .banner.bad")).getText();
        assertThat(error).contains("topic").doesNotContain("{", "\"type\"", "problem");
        browser.screenshot("readable-error");
    }

    private WebElement row(By table, String text) {
        return browser.await(table).findElements(By.cssSelector("tbody tr")).stream()
                .filter(r -> r.getText().contains(text)).findFirst()
                .orElseThrow(() -> new AssertionError("no row with " + text));
    }

    private String submit(String appKey, String secret, String topic, String payload, long delayMs) throws Exception {
        AdminApiScenario.Answer r = api.app(appKey, secret, "POST", "/api/v1/messages",
                Map.of("topic", topic, "payload", payload, "delayMs", delayMs));
        assertThat(r.status()).as("%s", r.body()).isEqualTo(201);
        return r.body().get("id").asText();
    }

    private String state(String id) throws Exception {
        JsonNode body = api.admin("GET", "/admin/api/v1/messages/" + id, null).body();
        return body.get("state").asText();
    }
}
