package dev.rewind;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/**
 * Captures what one class logs during each test: register it as a field with
 * {@code @RegisterExtension final LogCapture logs = new LogCapture(Owner.class);}. The appender is attached
 * before each test (before the class's own {@code @BeforeEach} methods) and detached after it.
 */
public final class LogCapture implements BeforeEachCallback, AfterEachCallback {
    private final Logger logger;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    /** @param owner the class whose logger is captured, at the levels the test configuration lets through */
    public LogCapture(Class<?> owner) {
        this(owner, null);
    }

    private final Level level;
    private Level saved;

    /**
     * @param owner the class whose logger is captured
     * @param level the level the logger is set to during each test (INFO to capture what the test
     *     configuration's WARN root would drop)
     */
    public LogCapture(Class<?> owner, Level level) {
        this.logger = (Logger) LoggerFactory.getLogger(owner);
        this.level = level;
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        appender.start();
        logger.addAppender(appender);
        saved = logger.getLevel();
        if (level != null) {
            logger.setLevel(level);
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        logger.detachAppender(appender);
        logger.setLevel(saved);
    }

    /** @return the events logged so far in this test, in order (the live list) */
    public List<ILoggingEvent> events() {
        return appender.list;
    }

    /** @return the formatted messages logged so far in this test, in order (a copy: safe while others log) */
    public List<String> messages() {
        synchronized (appender) { // the appender appends under its own lock: a test may read while workers log
            return appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        }
    }

    /**
     * @param level a level
     * @return the formatted messages logged so far at exactly that level, in order
     */
    public List<String> messages(Level level) {
        synchronized (appender) {
            return appender.list.stream().filter(e -> e.getLevel() == level).map(ILoggingEvent::getFormattedMessage)
                    .toList();
        }
    }
}
