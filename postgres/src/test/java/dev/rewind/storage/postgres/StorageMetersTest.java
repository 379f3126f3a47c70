package dev.rewind.storage.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rewind.ExpectedVersion;
import dev.rewind.spi.storage.StorageMeter;
import java.time.Clock;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The figures a metrics binding reads from a PostgreSQL storage: its pool, its group commits, its listener. */
class StorageMetersTest extends FreshSchemaTest {

    StorageMetersTest() {
        super(TestDatabase.schema("storage_meters"));
    }

    @Test
    void the_pool_the_groups_and_the_listener_report_their_figures() {
        storage.append("s", ExpectedVersion.noStream(), TestRecords.batch(2, "s"), Clock.systemUTC());
        Map<String, StorageMeter> meters = storage.meters().stream()
                .collect(Collectors.toMap(StorageMeter::name, Function.identity()));

        assertThat(meters).containsOnlyKeys("rewind.postgres.pool.active", "rewind.postgres.pool.idle",
                "rewind.postgres.pool.pending", "rewind.postgres.pool.max", "rewind.postgres.group.size",
                "rewind.postgres.notifications", "rewind.postgres.polls", "rewind.postgres.listener.reconnects");
        assertThat(meters.get("rewind.postgres.pool.max").value().getAsDouble()).isPositive();
        assertThat(meters.get("rewind.postgres.pool.active").value().getAsDouble()).as("nothing runs now").isZero();
        assertThat(meters.get("rewind.postgres.group.size").value().getAsDouble()).as("one append, one group")
                .isEqualTo(1.0);
        assertThat(meters.get("rewind.postgres.listener.reconnects").value().getAsDouble()).isZero();

        storage.close();
        assertThat(meters.get("rewind.postgres.pool.active").value().getAsDouble())
                .as("a closed pool has no figure, and reading it does not fail").isNaN();
    }
}
