package io.hourglass.bootstrap.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Not a test: the benchmark of the console's lists (docs/benchmarks.md, "Console"). It times, in the real browser,
 * each list page of a running server from the click to the page drawn (the API's answer included), median of 7 after
 * one warm-up, and writes {@code target/console-screenshots/list-timings.md}. Run it against a server loaded with a
 * million messages:
 *
 * <pre>
 * ./mvnw -o -B -pl delay-bootstrap failsafe:integration-test -Dit.test=ConsoleListBench \
 *     -Dconsole.bench.url=http://127.0.0.1:8080 -Dconsole.bench.password=&lt;the admin's password&gt;
 * </pre>
 */
@EnabledIfSystemProperty(named = "console.bench.url", matches = ".+")
class ConsoleListBench {

    private static final int RUNS = 7;

    @Test
    void timeEveryList() throws Exception {
        long in30min = System.currentTimeMillis() + 1_800_000;
        Map<String, String> routes = new LinkedHashMap<>();
        routes.put("messages, SCHEDULED, no filter", "messages?state=SCHEDULED");
        routes.put("messages, SCHEDULED, by app", "messages?state=SCHEDULED&appKey=demo");
        routes.put("messages, SCHEDULED, by topic", "messages?state=SCHEDULED&topic=demo");
        routes.put("messages, SCHEDULED, by app and due range", "messages?state=SCHEDULED&appKey=demo&dueFrom=" + in30min
                + "&dueTo=" + (in30min + 3_600_000));
        routes.put("messages, by key", "messages?state=SCHEDULED&key=no-such-key");
        routes.put("messages, DELIVERED", "messages?state=DELIVERED");
        routes.put("dead letters", "dead-letters");
        routes.put("apps", "apps");
        routes.put("topics", "topics");
        routes.put("audit", "audit");
        routes.put("cluster", "cluster");
        routes.put("overview", "overview");
        StringBuilder report = new StringBuilder("| page | median ms | min | max |\n|---|---|---|---|\n");
        try (ConsoleBrowser browser = new ConsoleBrowser(System.getProperty("console.bench.url"))) {
            browser.login(System.getProperty("console.bench.user", "admin"), System.getProperty("console.bench.password"));
            for (Map.Entry<String, String> route : routes.entrySet()) {
                List<Long> times = new ArrayList<>();
                for (int run = 0; run <= RUNS; run++) {
                    long ms = time(browser, route.getValue() + (route.getValue().contains("?") ? "&" : "?") + "run=" + run);
                    if (run > 0) {
                        times.add(ms);
                    }
                }
                report.append(line(route.getKey(), times));
            }
            // the next pages of the unfiltered SCHEDULED list (keyset pagination: page n costs what page 1 does)
            browser.open("#/messages?state=SCHEDULED");
            browser.await(By.id("next-page"));
            List<Long> next = new ArrayList<>();
            for (int page = 0; page < RUNS; page++) {
                String before = browser.driver.findElement(By.tagName("body")).getAttribute("data-rendered");
                browser.await(By.id("next-page")).click();
                new WebDriverWait(browser.driver, Duration.ofSeconds(30)).until(d ->
                        !before.equals(d.findElement(By.tagName("body")).getAttribute("data-rendered")));
                next.add(Long.parseLong(browser.driver.findElement(By.tagName("body")).getAttribute("data-render-ms")));
            }
            report.append(line("messages, SCHEDULED, next page (pages 2-8)", next));
        }
        System.out.println(report);
        Files.createDirectories(ConsoleBrowser.SHOTS);
        Files.writeString(ConsoleBrowser.SHOTS.resolve("list-timings.md"), report);
    }

    private static long time(ConsoleBrowser browser, String route) {
        browser.script("location.hash = '#/' + arguments[0];", route);
        new WebDriverWait(browser.driver, Duration.ofSeconds(60)).until(d ->
                route.equals(d.findElement(By.tagName("body")).getAttribute("data-rendered")));
        return Long.parseLong(browser.driver.findElement(By.tagName("body")).getAttribute("data-render-ms"));
    }

    private static String line(String name, List<Long> times) {
        List<Long> sorted = times.stream().sorted().toList();
        return "| " + name + " | " + sorted.get(sorted.size() / 2) + " | " + sorted.get(0) + " | "
                + sorted.get(sorted.size() - 1) + " |\n";
    }
}
