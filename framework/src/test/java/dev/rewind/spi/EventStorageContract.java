package dev.rewind.spi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rewind.EventStore;
import dev.rewind.ExpectedVersion;
import dev.rewind.Rewind;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The storage contract: every {@link EventStorage} runs this suite by extending it in a few lines and
 * saying how to open a fresh storage (and, for durable storages, how to reopen it).
 */
public abstract class EventStorageContract {

    /** @return a new, empty storage */
    protected abstract EventStorage newStorage();

    /**
     * Closes {@code storage} and opens the same data again. Storages that keep nothing across a close
     * (in memory) return null, and the tests of durability are skipped for them.
     *
     * @param storage an open storage
     * @return the reopened storage, or null
     */
    protected EventStorage reopen(EventStorage storage) {
        return null;
    }

    protected Rewind rewind;
    protected EventStore store;

    @BeforeEach
    void openStore() {
        rewind = ContractFixtures.builder().storage(newStorage()).build();
        store = rewind.store();
    }

    @AfterEach
    void closeStore() {
        rewind.close();
    }

    @Test
    void a_streams_first_event_has_version_0_and_the_stores_first_event_position_0() {
        var result = store.append("order-1", ExpectedVersion.noStream(), List.of(new ContractFixtures.Placed("order-1", 3)));
        assertThat(result.events()).singleElement().satisfies(e -> {
            assertThat(e.streamVersion()).isZero();
            assertThat(e.globalPosition()).isZero();
        });
    }
}
