package dev.rewind.example.orders.web;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Headless Chromium for the browser tests: Debian's {@code chromium} and {@code chromium-driver}
 * ({@code bash .ci/start-chromium.sh} installs them), or the binaries named by {@code CHROME_BIN} and
 * {@code CHROMEDRIVER}. Without them the browser tests are skipped with a message saying so, except
 * under {@code CI=true}, where they fail: CI must run them. Selenium is given both paths, so it never
 * tries to download a browser or a driver.
 */
final class Browser {
    static final Path CHROMIUM = path("CHROME_BIN", "/usr/bin/chromium");
    static final Path DRIVER = path("CHROMEDRIVER", "/usr/bin/chromedriver");

    private Browser() {
    }

    private static Path path(String variable, String fallback) {
        String v = System.getenv(variable);
        return Path.of(v == null || v.isBlank() ? fallback : v);
    }

    /** Skips the calling test class (fails it under CI=true) when Chromium or its driver is missing. */
    static void require() {
        if (Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER)) {
            return;
        }
        String message = "no headless Chromium for the browser tests (looked for " + CHROMIUM + " and " + DRIVER
                + "): run `bash .ci/start-chromium.sh` (Debian's chromium and chromium-driver), or set CHROME_BIN"
                + " and CHROMEDRIVER";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail(message + " (CI=true: the browser tests must run)");
        }
        // Surefire does not list a class skipped in @BeforeAll, so say it where a developer looks.
        System.err.println("SKIPPED browser tests: " + message);
        Assumptions.abort(message);
    }

    /** @return a new headless Chromium, 1280 x 1000 CSS pixels */
    static ChromeDriver start() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1280,1000", "--hide-scrollbars", "--force-device-scale-factor=1");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile())
                .usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }
}
