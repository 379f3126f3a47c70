package dev.rewind.example.orders.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The timeline page in a real browser (headless Chromium through Selenium), over the running app with
 * the demo story: the slider, the state beside it, an event's payload, and that user data is shown
 * as text and never runs. Few tests, one browser: each app start and page load costs seconds.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(ScreenshotOnFailure.class)
class TimelinePageTest implements ScreenshotOnFailure.Source {
    private static final Duration PATIENCE = Duration.ofSeconds(20);
    private RunningApp app;
    private ChromeDriver browser;

    @Override
    public WebDriver driver() {
        return browser;
    }

    @BeforeAll
    void start() {
        Browser.require();
        app = RunningApp.start("rewind.storage=memory:", "orders.demo=true");
        browser = Browser.start();
    }

    @AfterAll
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (app != null) {
            app.close();
        }
    }

    private WebDriverWait waiting() {
        return new WebDriverWait(browser, PATIENCE);
    }

    /** Opens the page and waits until it shows a state. */
    private void open(RunningApp on) {
        browser.get(on.base.resolve("/").toString());
        waiting().until(d -> d.findElement(By.id("state-panel")).getDomAttribute("data-as-of") != null);
    }

    /** Waits until the state shown is the one as of {@code instant}. */
    private void awaitStateAsOf(String instant) {
        waiting().withMessage(() -> "the state as of " + instant + ", shown: "
                        + browser.findElement(By.id("state-panel")).getDomAttribute("data-as-of"))
                .until(d -> instant.equals(d.findElement(By.id("state-panel")).getDomAttribute("data-as-of")));
    }

    private String cell(String key, String field) {
        return browser.findElement(By.cssSelector("#state tr[data-key='" + key + "'] td[data-field='" + field + "']"))
                .getText();
    }

    private String payload(String field) {
        return waiting().until(d -> d.findElement(By.cssSelector("#payload tr[data-field='" + field + "'] td"))).getText();
    }

    /** Moves the slider with the keyboard, as a person can: Home, then one step at a time to {@code instant}. */
    private void slideTo(Instant instant) {
        WebElement slider = browser.findElement(By.id("slider"));
        long min = Long.parseLong(slider.getDomAttribute("min"));
        long step = Long.parseLong(slider.getDomAttribute("step"));
        long steps = (instant.getEpochSecond() - min) / step;
        assertThat((instant.getEpochSecond() - min) % step).as("15:00 is on a step of the slider").isZero();
        slider.sendKeys(Keys.HOME);
        slider.sendKeys(String.valueOf(Keys.ARROW_RIGHT).repeat((int) steps));
    }

    @Test
    void the_slider_shows_the_orders_as_they_were_and_an_event_shows_its_payload() throws Exception {
        open(app);
        assertThat(browser.findElements(By.cssSelector(".marker"))).hasSize(8);
        assertThat(browser.findElements(By.cssSelector("#events tbody tr"))).hasSize(8);
        assertThat(new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("projection")))
                .getFirstSelectedOption().getText()).isEqualTo("order_totals");

        slideTo(Instant.parse("2024-05-01T15:00:00Z"));
        awaitStateAsOf("2024-05-01T15:00:00Z");
        assertThat(cell("1001", "status")).isEqualTo("PAID");
        assertThat(cell("1002", "status")).isEqualTo("PAID");
        assertThat(browser.findElement(By.id("instant")).getDomProperty("value")).isEqualTo("2024-05-01T15:00:00Z");
        // what had not happened at 15:00 is dimmed: the shipment (15:30) and the cancellation (16:00)
        assertThat(browser.findElements(By.cssSelector(".marker.future"))).extracting(WebElement::getText)
                .containsExactlyInAnyOrder("OrderShipped", "OrderCancelled");

        browser.findElement(By.cssSelector("#lanes .marker[data-type='OrderPaid'][data-position='5']")).click();
        assertThat(payload("paymentMethod")).isEqualTo("paypal");
        assertThat(payload("amountCents")).isEqualTo("4500");
        assertThat(browser.findElement(By.cssSelector("#metadata tr[data-field='causationId'] td")).getText())
                .isEqualTo("demo-6");
        Path shot = ScreenshotOnFailure.directory().resolve("timeline-page.png"); // for README, when it changes
        Files.createDirectories(shot.getParent());
        Files.write(shot, browser.getScreenshotAs(OutputType.BYTES));

        browser.findElement(By.id("slider")).sendKeys(Keys.END); // the slider's end is after 16:00
        String end = browser.findElement(By.id("slider")).getDomAttribute("max");
        String asOf = Instant.ofEpochSecond(Long.parseLong(end)).toString();
        awaitStateAsOf(asOf);
        assertThat(Instant.parse(asOf)).isAfter(Instant.parse("2024-05-01T16:00:00Z"));
        assertThat(cell("1002", "status")).isEqualTo("CANCELLED");
        assertThat(cell("1001", "status")).isEqualTo("SHIPPED");

        browser.findElement(By.cssSelector("#events tbody tr[data-position='7']")).click();
        assertThat(payload("reason")).isEqualTo("found it cheaper elsewhere");
    }

    @Test
    void an_instant_typed_in_the_text_field_moves_the_slider_and_a_bad_one_is_refused() {
        open(app);
        WebElement field = browser.findElement(By.id("instant"));
        field.clear();
        field.sendKeys("2024-05-01T14:40:00Z", Keys.ENTER);
        awaitStateAsOf("2024-05-01T14:40:00Z");
        assertThat(cell("1001", "status")).isEqualTo("PAID");
        assertThat(cell("1002", "status")).isEqualTo("PLACED");
        assertThat(browser.findElement(By.id("slider")).getDomProperty("value"))
                .isEqualTo(String.valueOf(Instant.parse("2024-05-01T14:40:00Z").getEpochSecond()));

        field.clear();
        field.sendKeys("tea time", Keys.ENTER);
        waiting().until(d -> d.findElement(By.id("message")).getText().startsWith("not an instant"));
        assertThat(browser.findElement(By.id("state-panel")).getDomAttribute("data-as-of")).isEqualTo("2024-05-01T14:40:00Z");
    }

    @Test
    void user_data_is_shown_as_text_and_no_script_in_it_runs() {
        String evil = "<img src=x onerror=alert(1)>";
        // A page that ran the payload would call alert or break the CSP; record both before the page loads.
        browser.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source",
                "window.__alerts = []; window.alert = function (m) { window.__alerts.push(String(m)); };"
                        + "window.__violations = []; document.addEventListener('securitypolicyviolation',"
                        + " function (e) { window.__violations.push(e.violatedDirective); });"));
        try (RunningApp other = RunningApp.start("rewind.storage=memory:")) {
            assertThat(other.post("/api/orders", "{\"orderId\":\"x-1\",\"userId\":\"" + evil
                    + "\",\"currency\":\"EUR\"}").status()).isEqualTo(201);
            open(other);
            waiting().until(d -> !d.findElements(By.cssSelector("#state tr[data-key='x-1']")).isEmpty());

            assertThat(cell("x-1", "userId")).isEqualTo(evil);
            browser.findElement(By.cssSelector("#lanes .marker[data-type='OrderPlaced']")).click();
            assertThat(payload("userId")).isEqualTo(evil);

            JavascriptExecutor js = browser;
            assertThat(js.executeScript("return document.querySelectorAll('img').length")).isEqualTo(0L);
            assertThat(js.executeScript("return window.__alerts")).isEqualTo(List.of());
            assertThat(js.executeScript("return window.__violations")).isEqualTo(List.of());
            assertThatThrownBy(() -> browser.switchTo().alert()).isInstanceOf(NoAlertPresentException.class);
            // the recorder is live: an alert, had the page run one, would be in the list
            js.executeScript("alert('probe')");
            assertThat(js.executeScript("return window.__alerts")).isEqualTo(List.of("probe"));
        }
    }
}
