package dev.rewind.storage.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import dev.rewind.LogCapture;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Progress shows done / total, rate and time left on a terminal, and logs at INFO otherwise. */
class ProgressTest {
    @RegisterExtension
    final LogCapture logs = new LogCapture(Progress.class, Level.INFO);

    @Test
    void a_terminal_gets_one_redrawn_line_with_done_total_rate_and_time_left_then_the_total_time() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream terminal = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        Progress p = new Progress("verify /data", 1000, "events", terminal, 0);
        p.advance(250);
        p.finish();
        String shown = bytes.toString(StandardCharsets.UTF_8);
        assertThat(shown).startsWith("\rverify /data: 250 / 1,000 events (25%), ").contains(" events/s, ")
                .contains(" left").contains("\rverify /data: 250 events in ");
        assertThat(logs.messages(Level.INFO)).isEmpty();
    }

    @Test
    void without_a_terminal_it_logs_at_info_and_work_that_ends_soon_shows_nothing() {
        Progress logged = new Progress("index rebuild", 10, "bytes", null, 0);
        logged.advance(10);
        logged.finish();
        assertThat(logs.messages(Level.INFO)).hasSize(2).first().asString().startsWith("index rebuild: 10 / 10 bytes (100%)");

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Progress quick = Progress.to("quick", 10, "events", new PrintStream(bytes, true, StandardCharsets.UTF_8));
        quick.advance(10);
        quick.finish();
        assertThat(bytes.size()).as("under two seconds: nothing").isZero();
    }
}
