package io.hourglass.bootstrap.e2e;

import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;

/**
 * The real Chromium of the machine (Debian's {@code chromium} and {@code chromium-driver}, installed by
 * scripts/test.sh), headless, driven through WebDriver, with what the console tests do with it: log in, open a page
 * by its URL, wait for an element, click through a confirmation, and save a screenshot under
 * {@code target/console-screenshots/}.
 */
final class ConsoleBrowser implements AutoCloseable {

    static final Path SHOTS = Path.of("target", "console-screenshots");
    static final Dimension DESKTOP = new Dimension(1280, 900);
    static final Dimension PHONE = new Dimension(390, 844);

    final ChromeDriver driver;
    private final String base;
    private final WebDriverWait wait;

    ConsoleBrowser(String serverBase) {
        this.base = serverBase + "/admin/";
        ChromeOptions options = new ChromeOptions();
        options.setBinary(executable("HOURGLASS_CHROME", "chromium"));
        // --no-sandbox: the tests run as root on CI machines, where Chromium's sandbox cannot start
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=" + DESKTOP.width + "," + DESKTOP.height, "--lang=en-US");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(executable("HOURGLASS_CHROMEDRIVER", "chromedriver")))
                .usingAnyFreePort().build();
        this.driver = new ChromeDriver(service, options);
        this.wait = new WebDriverWait(driver, Duration.ofSeconds(20));
        // pages redraw parts of themselves (a job's progress, a refresh): an element found a moment ago may be gone
        wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
    }

    /** The path from the environment scripts/test.sh sets, else the command on the PATH; a clear failure if neither. */
    private static String executable(String env, String command) {
        String value = System.getenv(env);
        if (value != null && !value.isBlank()) {
            return value;
        }
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
            File f = new File(dir, command);
            if (f.canExecute()) {
                return f.getPath();
            }
        }
        throw new IllegalStateException(command + " is not installed: scripts/test.sh installs it (apt-get install"
                + " chromium chromium-driver), or set " + env);
    }

    /** Opens the console at a route, e.g. {@code "#/messages?state=DEAD"} ("" for the start page). */
    ConsoleBrowser open(String route) {
        driver.get(base + route);
        return this;
    }

    void login(String username, String password) {
        open("");
        fillLogin(username, password);
    }

    /** Logs in on the login form the browser shows now (without loading the page again). */
    void fillLogin(String username, String password) {
        WebElement user = await(By.id("username"));
        user.clear();
        user.sendKeys(username);
        driver.findElement(By.id("password")).sendKeys(password);
        driver.findElement(By.id("login-submit")).click();
        until(ExpectedConditions.textToBePresentInElementLocated(By.id("who"), username));
    }

    void logout() {
        driver.findElement(By.id("logout")).click();
        await(By.id("username"));
    }

    WebElement await(By by) {
        return until(ExpectedConditions.visibilityOfElementLocated(by));
    }

    void awaitText(By by, String text) {
        until(ExpectedConditions.textToBePresentInElementLocated(by, text));
    }

    /** Waits for a condition; when it times out, the failure shows what the browser had (its errors, the page). */
    <T> T until(org.openqa.selenium.support.ui.ExpectedCondition<T> condition) {
        try {
            return wait.until(condition);
        } catch (org.openqa.selenium.TimeoutException e) {
            Object page = script("return document.documentElement.outerHTML.substring(0, 3000)");
            throw new AssertionError(condition + " did not happen at " + driver.getCurrentUrl() + "\nbrowser errors: "
                    + consoleErrors() + "\npage: " + page, e);
        }
    }

    /** Waits for the page's heading: the page has loaded and rendered (or shown its error). */
    void awaitHeading(String text) {
        awaitText(By.tagName("h1"), text);
    }

    List<WebElement> all(By by) {
        return driver.findElements(by);
    }

    /** Clicks a control that asks for confirmation, and confirms. */
    void clickAndConfirm(By control) {
        await(control).click();
        await(By.id("confirm-yes")).click();
    }

    Object script(String js, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(js, args);
    }

    Object asyncScript(String js, Object... args) {
        return ((JavascriptExecutor) driver).executeAsyncScript(js, args);
    }

    void size(Dimension d) {
        driver.manage().window().setSize(d);
    }

    /** Saves the current page as {@code target/console-screenshots/<name>.png}. */
    Path screenshot(String name) throws IOException {
        Files.createDirectories(SHOTS);
        Path file = SHOTS.resolve(name + ".png");
        Files.write(file, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
        return file;
    }

    /** The browser console's errors since the last call (a failed script, a refused resource). */
    List<String> consoleErrors() {
        return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(LogEntry::getMessage).toList();
    }

    @Override
    public void close() {
        driver.quit();
    }
}
