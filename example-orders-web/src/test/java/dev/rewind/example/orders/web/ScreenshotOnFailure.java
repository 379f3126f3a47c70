package dev.rewind.example.orders.web;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;

/**
 * When a browser test fails, keeps what the browser showed: {@code target/screenshots/<class>.<test>.png}
 * and the page's DOM beside it ({@code .html}), for the test instance's {@link Source#driver()}.
 */
final class ScreenshotOnFailure implements TestWatcher {

    /** A test class whose browser can be photographed. */
    interface Source {
        /** @return the browser, or null when it is not started */
        WebDriver driver();
    }

    static Path directory() {
        return Path.of(System.getProperty("basedir", "."), "target", "screenshots");
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        Object instance = context.getTestInstance().orElse(null);
        if (!(instance instanceof Source source) || source.driver() == null) {
            return;
        }
        String name = context.getRequiredTestClass().getSimpleName() + "." + context.getRequiredTestMethod().getName();
        try {
            Files.createDirectories(directory());
            Path png = directory().resolve(name + ".png");
            Files.write(png, ((TakesScreenshot) source.driver()).getScreenshotAs(OutputType.BYTES));
            Files.writeString(directory().resolve(name + ".html"), source.driver().getPageSource());
            System.err.println("browser test failed: screenshot in " + png.toAbsolutePath());
        } catch (IOException | RuntimeException e) {
            System.err.println("browser test failed, and no screenshot could be taken: " + e);
        }
    }
}
